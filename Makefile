# vigie — the two commands of the README, and the opt-in long runs.
#   make demo   install what is missing, build, run the pipeline on real footage
#   make test   install what is missing, build, run every test
#   make bench  throughput and accuracy figures of docs/BENCHMARKS.md
BUILD ?= build
JOBS  ?= $(shell nproc)
VTEST := /usr/share/doc/opencv-doc/examples/data/vtest.avi
SHARED := $(abspath ../shared/data)
MODEL := $(SHARED)/models/yolox_nano.onnx
GT    := $(SHARED)/mot/PETS09-S2L1/gt/gt.txt
DEMO  := out/demo

.PHONY: deps build test demo bench clean

deps:
	@scripts/install-deps

build: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 900

demo: build
	@mkdir -p $(DEMO)
	@echo "== vigie analyze: PETS 2009 S2L1 street scene (vtest.avi), model-free detector (the default)"
	@$(BUILD)/vigie analyze $(VTEST) --tracks $(DEMO)/tracks-motion.txt --video $(DEMO)/annotated-motion.mp4
	@if [ -f $(MODEL) ]; then \
	  echo; echo "== vigie analyze: the same scene with the YOLOX-Nano COCO detector (onnx)"; \
	  $(BUILD)/vigie analyze $(VTEST) --detector onnx --model $(MODEL) \
	    --tracks $(DEMO)/tracks-onnx.txt --video $(DEMO)/annotated-onnx.mp4; \
	else echo "(no $(MODEL): the onnx detector is skipped)"; fi
	@if [ -f $(GT) ]; then \
	  echo; echo "== accuracy against the MOTChallenge ground truth"; \
	  echo "-- motion:"; $(BUILD)/vigie eval-mot --gt $(GT) --tracks $(DEMO)/tracks-motion.txt; \
	  if [ -f $(DEMO)/tracks-onnx.txt ]; then echo "-- onnx:"; $(BUILD)/vigie eval-mot --gt $(GT) --tracks $(DEMO)/tracks-onnx.txt; fi; \
	fi
	@echo; echo "Look at: $(abspath $(DEMO))/ — annotated-*.mp4 (boxes and track ids), tracks-*.txt (MOTChallenge format)"

bench: build
	@bench/run.sh $(BUILD)

clean:
	rm -rf $(BUILD) out
