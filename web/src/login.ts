import { api, ApiError, SessionInfo } from './api';
import { h } from './dom';

export function loginPage(root: HTMLElement, onLogin: (s: SessionInfo) => void) {
  const name = h('input', { name: 'name', autocomplete: 'username', required: true, 'data-testid': 'login-name' });
  const password = h('input', {
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
    'data-testid': 'login-password',
  });
  const message = h('p', { class: 'error', role: 'alert', 'data-testid': 'login-error' });
  const form = h(
    'form',
    { class: 'login' },
    h('h1', {}, 'vigie'),
    h('p', { class: 'muted' }, 'Supervision centre — sign in with your account'),
    h('label', {}, 'Name', name),
    h('label', {}, 'Password', password),
    h('button', { type: 'submit', 'data-testid': 'login-submit' }, 'Sign in'),
    message,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    message.textContent = '';
    try {
      onLogin(await api.login(name.value, password.value));
    } catch (err) {
      message.textContent = err instanceof ApiError ? err.message : 'the server cannot be reached';
    }
  });
  root.append(form);
  name.focus();
  return () => {};
}
