# vigie — the two commands of the README, and the opt-in long runs.
#   make demo   install what is missing, build, run the pipeline on real footage, then
#               serve three simulated cameras to the console (until Ctrl-C)
#   make test   install what is missing, build, run every test
#   make bench  throughput and accuracy figures of docs/BENCHMARKS.md
#   make search-bench  forensic search latency on 10 M synthetic tracks
#   make fuzz   libFuzzer targets (clang-14, ASan+UBSan), each for FUZZ_SECONDS (fuzz/README.md)
#   make deb    the Debian package (CPack): out/deb/vigie_<version>_<arch>.deb (docs/deploy.md)
BUILD ?= build
JOBS  ?= $(shell nproc)
VTEST := /usr/share/doc/opencv-doc/examples/data/vtest.avi
SHARED := $(abspath ../shared/data)
MODEL := $(SHARED)/models/yolox_nano.onnx
GT    := $(SHARED)/mot/PETS09-S2L1/gt/gt.txt
MUNICH := $(SHARED)/osm/munich/munchen_altstadt_2020-07-20.osm.pbf
DEMO  := out/demo

# The fuzz build (clang-14, sanitizers, only the fuzz targets and the libraries they need).
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 300
FUZZ_SMOKE_SECONDS ?= 10
CCACHE := $(if $(shell command -v ccache),-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

.PHONY: deps build web test demo basemap bench search-bench likeness-bench clean fuzz-build fuzz fuzz-smoke fuzz-known deb soak risk scancar-bench

deps:
	@scripts/install-deps

build: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)
	@scripts/make-plate-models $(BUILD)/plate-models

# The console (TypeScript, Vite) from npm, built into web/dist, which vigie serve serves.
web:
	@cd web && if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then \
	  npm ci --no-audit --no-fund --loglevel=error; fi && npm run --silent build >/dev/null && echo "web: console built in web/dist"

# After ctest, a short run of each fuzz target (and the replay of every crash found so far);
# SKIP_FUZZ=1 leaves it out (a quick local run: it builds build-fuzz/ with clang first).
test: build web
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 900
	@if [ -z "$(SKIP_FUZZ)" ]; then $(MAKE) --no-print-directory fuzz-smoke; fi

# The console map's background for the Munich extract (scripts/make-basemap, tilemaker):
# set server.basemap to the file.
basemap: deps
	@scripts/make-basemap $(MUNICH) out/basemap-munich.mbtiles

demo: build web
	@rm -rf $(DEMO) && mkdir -p $(DEMO)
	@echo "== vigie analyze: PETS 2009 S2L1 street scene (vtest.avi), model-free people detector (the default)"
	@$(BUILD)/vigie analyze $(VTEST) --tracks $(DEMO)/tracks-people.txt --video $(DEMO)/annotated-people.mp4
	@echo; echo "== the same scene as a camera with rules (examples/pets09/site.yaml): alerts, snapshots, clips"
	@if [ -f $(MODEL) ]; then DETECT="--detector onnx --model $(MODEL)"; else DETECT=""; \
	  echo "(no $(MODEL): the model-free people detector is used; put a YOLOX ONNX model there, or set"; \
	  echo " detect: { type: onnx, model: FILE } in the config, for the network's detections)"; fi; \
	cd $(DEMO) && $(abspath $(BUILD))/vigie analyze --config $(abspath examples/pets09/site.yaml) $$DETECT \
	  --tracks tracks-rules.txt --video annotated-rules.mp4
	@if [ -f $(GT) ]; then \
	  echo; echo "== accuracy against the MOTChallenge ground truth"; \
	  echo "-- tracking, model-free:"; $(BUILD)/vigie eval-mot --gt $(GT) --tracks $(DEMO)/tracks-people.txt; \
	  echo "-- tracking, with the rules' detector:"; $(BUILD)/vigie eval-mot --gt $(GT) --tracks $(DEMO)/tracks-rules.txt; \
	  echo "-- rules:"; $(BUILD)/vigie eval-rules --config examples/pets09/site.yaml --gt $(GT) --tracks $(DEMO)/tracks-rules.txt; \
	fi
	@echo; echo "== the newest alerts"; $(BUILD)/vigie alerts list --store $(DEMO)/vigie.db --limit 8
	@if [ -f $(MUNICH) ]; then \
	  echo; echo "== the city camera network: Munich Altstadt (OSM 2020), coverage and a least-watched route"; \
	  $(BUILD)/vigie city coverage --quiet --osm $(MUNICH) --geojson-dir $(DEMO)/city | head -2; \
	  scripts/make-basemap $(MUNICH) $(DEMO)/basemap.mbtiles; \
	  $(BUILD)/vigie city route --quiet --osm $(MUNICH) --from 48.13725,11.57540 --to 48.14230,11.57740 \
	    --geojson $(DEMO)/city/route.geojson; \
	  $(BUILD)/vigie city report --quiet --osm $(MUNICH) --out $(DEMO)/city/report.html --image $(DEMO)/city/map.jpg \
	    --route "Marienplatz → Odeonsplatz=48.13725,11.57540:48.14230,11.57740" > /dev/null; \
	fi
	@echo; echo "== a drone flight over Marienplatz (scripts/make-flight): checked against its order, registered"
	@scripts/make-flight $(DEMO)/flight > /dev/null; \
	  $(BUILD)/vigie drone check --telemetry $(DEMO)/flight/flight.csv --authorisation $(DEMO)/flight/authorisation.json \
	    --geojson $(DEMO)/flight/flight.geojson --store $(DEMO)/vigie.db --camera drone-1; \
	  status=$$?; [ $$status -le 1 ]  # 1: minutes outside the order were flagged, as this flight is made to
	@echo; echo "== the public transparency report of this store (counts only; vigie serve shows it at /transparency)"
	@CITY=""; if [ -f $(DEMO)/city/coverage.json ]; then CITY="--city $(DEMO)/city"; fi; \
	  $(BUILD)/vigie transparency --config examples/pets09/site.yaml --store $(DEMO)/vigie.db $$CITY \
	    --out $(DEMO)/transparency.html --json $(DEMO)/transparency.json
	@echo; echo "Look at: $(abspath $(DEMO))/ — annotated-*.mp4 (boxes and track ids), tracks-*.txt (MOTChallenge),"
	@echo "         vigie.db (alerts: build/vigie alerts list --store $(DEMO)/vigie.db), media/ (a snapshot and a clip per alert)"
	@if [ -f $(MUNICH) ]; then echo "         city/report.html and city/map.jpg (coverage, routes), city/*.geojson (layers for any GIS)"; fi
	@echo "         transparency.html (the public report: coverage, alerts and decisions, searches, retention, costs)"
	@scripts/demo-serve $(BUILD)

# The Debian package: the program (only what the package holds is built), the console,
# then cpack (packaging/package.cmake: dpkg-shlibdeps for Depends, systemd units, config).
DEB_OUT := out/deb
deb: deps web
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS) --target vigie
	@scripts/make-plate-models $(BUILD)/plate-models
	@rm -rf $(DEB_OUT) && mkdir -p $(DEB_OUT)
	@cd $(BUILD) && cpack -G DEB -B $(abspath $(DEB_OUT)) >$(abspath $(DEB_OUT))/cpack.log 2>&1 \
	  || { cat $(abspath $(DEB_OUT))/cpack.log; exit 1; }
	@rm -rf $(DEB_OUT)/_CPack_Packages
	@echo "deb: $$(ls $(abspath $(DEB_OUT))/vigie_*.deb)"; echo "     install: sudo apt install $$(ls $(abspath $(DEB_OUT))/vigie_*.deb)   (docs/deploy.md)"

bench: build
	@bench/run.sh $(BUILD)

# Forensic search latency on 10 M synthetic tracks, SQLite and PostgreSQL (bench/search.sh;
# tools/searchbench; the stores, ~5 GB each, are
# filled once in minutes and reused). SEARCH_TRACKS for another count.
SEARCH_TRACKS ?= 10000000
search-bench: build
	@SEARCH_TRACKS=$(SEARCH_TRACKS) bench/search.sh $(BUILD)

# How well `vigie search --similar` finds a person again: PETS09-S2L1 in 4 stretches of
# time, ground-truth boxes (bench/likeness.py; 15 s).
likeness-bench: build
	@python3 bench/likeness.py --vigie $(BUILD)/vigie

# A simulated scancar round over the 168 French plate photos, registers built from their
# labels: candidates per 100 cars, share dropped by each register, wrong candidates, card
# holders made candidates (bench/scancar_round.py; about a minute).
scancar-bench: build
	@python3 bench/scancar_round.py --vigie $(BUILD)/vigie

# Incident risk forecasting on the Vancouver records: scores, factors, report, map (out/risk).
risk: build
	@bench/risk.sh $(BUILD) out/risk

# Several machines on loopback under faults (bench/soak.py, docs/scale.md): PostgreSQL,
# 3 workers, 2 API nodes, 30 simulated cameras; a worker and an API node killed, the
# database stopped for 30 s. Report in out/soak/report.md. SOAK_MINUTES=60 for the hour.
SOAK_MINUTES ?= 10
SOAK_CAMERAS ?= 30
soak: build
	@bench/soak.py --build $(BUILD) --minutes $(SOAK_MINUTES) --cameras $(SOAK_CAMERAS)

fuzz-build: deps
	@CC=clang-14 CXX=clang++-14 cmake -S . -B $(FUZZ_BUILD) -G Ninja -DVIGIE_FUZZ=ON \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CCACHE) >/dev/null
	@cmake --build $(FUZZ_BUILD) --target fuzz_all -j $(JOBS)

# Every target for FUZZ_SECONDS (one at a time); fails if any finds a crash.
fuzz: fuzz-build
	@fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

fuzz-smoke: fuzz-build
	@fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SMOKE_SECONDS)

# The known open bugs (fuzz/known/): fails while any reproducer still crashes.
fuzz-known: fuzz-build
	@fuzz/known.sh $(FUZZ_BUILD)

clean:
	rm -rf $(BUILD) $(FUZZ_BUILD) out
