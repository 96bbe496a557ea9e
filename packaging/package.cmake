# What `cmake --install` puts where, and the Debian package CPack makes of it
# (`make deb`; docs/deploy.md). Included by the top-level CMakeLists.txt.
#
#   /usr/bin/vigie                         the program (stripped in the package)
#   /usr/share/vigie/web/                  the operators' console (web/dist: `make web` first)
#   /etc/vigie/vigie.yaml                  the config (a conffile; root:vigie 0640 after postinst)
#   /lib/systemd/system/vigie*.service     vigie (one machine), vigie-api, vigie-worker
#   /usr/share/doc/vigie/                  README, deploy, configuration, rules, server, security, audit, scale
#   /var/lib/vigie/                        made by postinst (and by systemd's StateDirectory)
#
# vigie-camsim, the simulated RTSP camera, is a test tool and stays out (decisions.md).
# The /etc and /lib destinations are absolute: `cmake --install` without DESTDIR writes
# there too, as a package would.

install(TARGETS vigie RUNTIME DESTINATION bin)

# OPTIONAL: a program-only install works without Node.js; `make deb` builds the console
# first, and deb_test skips without it.
set(VIGIE_WEB_DIST "${PROJECT_SOURCE_DIR}/web/dist" CACHE PATH "The built console (make web) that the package ships")
install(DIRECTORY "${VIGIE_WEB_DIST}/" DESTINATION share/vigie/web OPTIONAL)
# The plate reader's models, converted at build time (scripts/make-plate-models; make deb
# makes them first); vigie finds them in ../share/vigie/plate-models beside its bin/.
install(DIRECTORY "${PROJECT_BINARY_DIR}/plate-models/" DESTINATION share/vigie/plate-models OPTIONAL)

install(FILES packaging/vigie.yaml DESTINATION /etc/vigie
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
install(FILES packaging/systemd/vigie.service packaging/systemd/vigie-api.service
              packaging/systemd/vigie-worker.service
        DESTINATION /lib/systemd/system)
install(FILES README.md docs/deploy.md docs/configuration.md docs/rules.md docs/server.md
              docs/security.md docs/audit.md
        DESTINATION share/doc/vigie)
install(FILES docs/scale.md DESTINATION share/doc/vigie OPTIONAL)  # several machines, when written

# `cpack` runs the install step, whose `preinstall` target would build every target (all
# the tests) first: only what is installed is needed, and `make deb` builds it.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

set(CPACK_PACKAGE_NAME vigie)
set(CPACK_PACKAGE_VENDOR "vigie")
set(VIGIE_DEB_MAINTAINER "vigie maintainers <vigie@localhost>" CACHE STRING "Maintainer field of the Debian package")
set(CPACK_PACKAGE_CONTACT "${VIGIE_DEB_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "open, auditable city video-protection system")
# The extended description (CPack puts the summary above it and indents it).
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
  "vigie analyses camera streams (privacy masks, motion gate, detection, tracking),
applies explicit rules (line crossing, zones, loitering, groups, crowds, abandoned
objects, sound) and serves the operators' web console and API, with accounts,
roles and a signed audit log. No face recognition, no biometric identification.

Services: vigie (one machine), vigie-api and vigie-worker (several machines on a
PostgreSQL store). Configuration in /etc/vigie, data in /var/lib/vigie.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)   # vigie_0.1.0-1_amd64.deb
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SECTION video)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The shared libraries' packages, computed by dpkg-shlibdeps (dpkg-dev), plus what the
# maintainer scripts use.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, init-system-helpers (>= 1.52)")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "postgresql-15, mosquitto, sqlite3")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  "${PROJECT_SOURCE_DIR}/packaging/deb/conffiles;${PROJECT_SOURCE_DIR}/packaging/deb/postinst;${PROJECT_SOURCE_DIR}/packaging/deb/prerm;${PROJECT_SOURCE_DIR}/packaging/deb/postrm")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
set(CPACK_GENERATOR DEB)
set(CPACK_SOURCE_GENERATOR "")
include(CPack)
