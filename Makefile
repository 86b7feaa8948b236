# Convenience targets over the project's scripts (README "Install on a host").
PREFIX ?= /usr/local
SYSTEMD_DIR ?= $(PREFIX)/lib/systemd/system
DESTDIR ?=

.PHONY: build test install deb image
build:
	swift build

test:
	bash scripts/test.sh

# make install PREFIX=/usr/local [SYSTEMD_DIR=/etc/systemd/system] [DESTDIR=/tmp/stage]
install:
	bash scripts/install.sh --prefix "$(PREFIX)" --systemd-dir "$(SYSTEMD_DIR)" $(if $(DESTDIR),--destdir "$(DESTDIR)")

# make deb: .build-deb/ctfix_VERSION-1_ARCH.deb (scripts/build-deb.sh)
deb:
	bash scripts/build-deb.sh

# make image: localhost/ctfix:VERSION with podman or buildah, offline (scripts/build-image.sh)
image:
	bash scripts/build-image.sh
