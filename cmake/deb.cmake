# The Debian package: `cpack -G DEB` in the build directory makes
# podns_VERSION_ARCH.deb of exactly what `cmake --install` installs (the
# command, the libraries, the headers, the CMake and pkg-config files, the
# systemd unit, the example CNI network, the man pages, the completion, and
# any link an install rule makes), under the configured prefix: configure
# with -DCMAKE_INSTALL_PREFIX=/usr for a package (scripts/package-test.sh
# does), so that the paths written into the unit and podns.pc are the ones
# the package installs to.
set(PODNS_DEB_MAINTAINER "podns maintainers <root@localhost>"
    CACHE STRING "The Maintainer field of the Debian package")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME podns)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "pod sandbox namespaces, made right when the pod has its own user namespace")
set(CPACK_PACKAGE_DESCRIPTION
    "podns creates a pod's user namespace with its ID maps, then a network namespace
owned by it, pins both by bind mounts, attaches the pod to a CNI network and
keeps its state in SQLite; every step is undone on error and after a crash.
This package holds the podns command, libpodns (shared and static), its
headers, CMake and pkg-config files, man pages and bash completion.")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # podns_0.2.0_amd64.deb
set(CPACK_DEBIAN_PACKAGE_MAINTAINER ${PODNS_DEB_MAINTAINER})
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Depends: from dpkg-shlibdeps over the shared objects and executables;
# a shlibs file and the ldconfig trigger for libpodns.so.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "runc | crun, containernetworking-plugins")
# Directories owned by the package get 0755 whatever the build user's umask.
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
    OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
include(CPack)
