# Tests of the CNI runtime (include/podns/cni/). Names start with
# "unit.cni." and "priv.cni.", so `ctest -R cni` picks exactly these.

# A fake CNI plugin whose failures the tests choose in its configuration
# (see cni/fake-plugin.cc). Built alone in its own directory, so that
# directory can serve as a plugin directory.
add_executable(podns-fake-cni cni/fake-plugin.cc)
target_link_libraries(podns-fake-cni PRIVATE nlohmann_json::nlohmann_json)
set_target_properties(podns-fake-cni PROPERTIES
  OUTPUT_NAME podns-fake
  RUNTIME_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/cni-bin)
set(PODNS_FAKE_CNI_DIR ${CMAKE_CURRENT_BINARY_DIR}/cni-bin)

# Unit tier: no root. Runs the fake plugin, never a real one.
add_executable(podns_cni_unit_tests
  unit/cni_config_test.cc
  unit/cni_request_test.cc
  unit/cni_result_test.cc
  unit/cni_cache_test.cc
  unit/cni_exec_test.cc
  unit/cni_client_test.cc
  unit/network_attachment_test.cc
)
target_link_libraries(podns_cni_unit_tests PRIVATE podns_testenv GTest::gtest_main)
target_compile_definitions(podns_cni_unit_tests PRIVATE PODNS_FAKE_CNI_DIR="${PODNS_FAKE_CNI_DIR}")
add_dependencies(podns_cni_unit_tests podns-fake-cni)
gtest_discover_tests(podns_cni_unit_tests TEST_PREFIX "unit.cni." DISCOVERY_TIMEOUT 30)

# Privileged tier: the real plugins (/usr/lib/cni) on real pods' network
# namespaces. One at a time: they share the machine's network.
add_executable(podns_cni_priv_tests
  priv/cni_network_test.cc
  priv/network_cli_test.cc
  priv/lifecycle_network_test.cc
  priv/upgrade_test.cc
  priv/soak_network_test.cc
)
target_link_libraries(podns_cni_priv_tests PRIVATE podns_testenv GTest::gtest_main)
target_compile_definitions(podns_cni_priv_tests PRIVATE PODNS_FAKE_CNI_DIR="${PODNS_FAKE_CNI_DIR}"
  PODNS_FIXTURES_DIR="${CMAKE_CURRENT_SOURCE_DIR}/fixtures")
add_dependencies(podns_cni_priv_tests podns-fake-cni)
gtest_discover_tests(podns_cni_priv_tests TEST_PREFIX "priv.cni." DISCOVERY_TIMEOUT 30
                     PROPERTIES RUN_SERIAL TRUE)
