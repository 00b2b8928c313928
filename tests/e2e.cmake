# podns spec and the end-to-end tier: real runc and crun containers joining
# pods made by the real CLI. Included by tests/CMakeLists.txt.

# Unit tests of the spec rewrite and the atomic file replacement: no root.
# Named unit.spec.* so that `ctest -R spec` finds them.
add_executable(podns_spec_unit_tests
  unit/spec_test.cc
  unit/atomic_file_test.cc
)
target_link_libraries(podns_spec_unit_tests PRIVATE podns GTest::gtest_main)
gtest_discover_tests(podns_spec_unit_tests TEST_PREFIX "unit.spec." DISCOVERY_TIMEOUT 30)

# End to end (root; fail instead of skipping when PODNS_REQUIRE_PRIVILEGED=1
# or CI=true). Needs runc, crun, busybox-static, iproute2 and util-linux.
add_executable(podns_e2e_tests
  e2e/runtime.cc
  e2e/containers_test.cc
  e2e/spec_cli_test.cc
  e2e/pinns_e2e_test.cc
)
target_link_libraries(podns_e2e_tests PRIVATE podns_testenv GTest::gtest_main)
target_include_directories(podns_e2e_tests PRIVATE e2e)
target_compile_definitions(podns_e2e_tests PRIVATE
  PODNS_BUNDLE_SH="${PROJECT_SOURCE_DIR}/scripts/lib/bundle.sh")
# One at a time: they share the machine's mount table, cgroups and network.
gtest_discover_tests(podns_e2e_tests TEST_PREFIX "e2e." DISCOVERY_TIMEOUT 30
                     PROPERTIES RUN_SERIAL TRUE TIMEOUT 300)
