import { defineConfig } from 'vite';

// `npm run build` writes dist/, which `vigie serve` serves as static files. During
// development, `npx vite` proxies the API to a running `vigie serve` on :8080.
export default defineConfig({
  // MapLibre is its own chunk (loaded with the map page), about 1.1 MB.
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 1200 },
  server: { proxy: { '/api': 'http://127.0.0.1:8080', '/metrics': 'http://127.0.0.1:8080' } },
});
