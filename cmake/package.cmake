# What `cmake --install` puts on the system for programs built on podns:
# both libraries, the public headers (include/podns/ and the generated
# version.h; never src/include/), the CMake package and podns.pc.
include(CMakePackageConfigHelpers)

set(PODNS_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/podns)
set(podns_install_targets podns)
if(TARGET podns_shared)
  list(PREPEND podns_install_targets podns_shared)
endif()
install(TARGETS ${podns_install_targets} EXPORT podnsTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
# A component of their own, so that tests/install/headers.sh can install
# them alone; a package holds every component.
install(DIRECTORY include/podns DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT podns_headers)
install(FILES ${PODNS_GENERATED_INCLUDE_DIR}/podns/version.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/podns COMPONENT podns_headers)

# find_package(podns CONFIG REQUIRED): podns::podns (libpodns.so) and
# podns::podns_static (libpodns.a, which needs -lsqlite3 and adds it).
install(EXPORT podnsTargets NAMESPACE podns:: DESTINATION ${PODNS_CMAKE_DIR}
        FILE podnsTargets.cmake)
configure_package_config_file(cmake/podnsConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/podnsConfig.cmake
  INSTALL_DESTINATION ${PODNS_CMAKE_DIR})
# Before 1.0 a new minor version may break the API, as the SONAME says.
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(podns_compat SameMinorVersion)
else()
  set(podns_compat SameMajorVersion)
endif()
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/podnsConfigVersion.cmake
  COMPATIBILITY ${podns_compat})
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/podnsConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/podnsConfigVersion.cmake
        DESTINATION ${PODNS_CMAKE_DIR})

# pkg-config: `pkg-config --cflags --libs podns` gives -lpodns; SQLite is in
# Requires.private, for `--static`.
configure_file(packaging/podns.pc.in ${CMAKE_CURRENT_BINARY_DIR}/podns.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/podns.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
