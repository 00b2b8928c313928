# What is installed for others to build on, and the documentation. No root
# needed. Included by tests/CMakeLists.txt.
add_test(NAME unit.install.headers
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/install/headers.sh ${PROJECT_BINARY_DIR}
                 ${CMAKE_CXX_COMPILER} ${CMAKE_C_COMPILER})
add_test(NAME unit.install.exports
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/install/exports.sh $<TARGET_FILE:podns_shared>
                 $<TARGET_SONAME_FILE_NAME:podns_shared>)
add_test(NAME unit.docs.man
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/docs/man.sh ${PODNS_DOC_DIR}/man8 $<TARGET_FILE:podns-cli>)
add_test(NAME unit.docs.completion
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/docs/completion.sh ${PODNS_DOC_DIR}/podns.bash)
add_test(NAME unit.install.subproject
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/install/subproject.sh ${PROJECT_SOURCE_DIR})
# systemd-analyze verify accepts the boot unit as configured for installation.
add_test(NAME unit.install.unit
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/install/unit.sh ${PROJECT_BINARY_DIR}/podns-recover.service
                 $<TARGET_FILE:podns-cli> ${CMAKE_INSTALL_FULL_BINDIR}/podns)
