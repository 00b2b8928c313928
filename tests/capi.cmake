# The C API (include/podns/c.h) from C and from Python's ctypes, both over
# the shared library, as their users would have it. Included by
# tests/CMakeLists.txt.

# A C program compiled as C.
add_executable(podns_capi_c_test capi/capi_test.c)
set_target_properties(podns_capi_c_test PROPERTIES C_STANDARD 11 C_STANDARD_REQUIRED ON
                                                   C_EXTENSIONS OFF)
target_link_libraries(podns_capi_c_test PRIVATE podns_shared)
add_test(NAME priv.capi.c COMMAND podns_capi_c_test)

find_package(Python3 REQUIRED COMPONENTS Interpreter)
add_test(NAME priv.capi.python
         COMMAND Python3::Interpreter ${CMAKE_CURRENT_SOURCE_DIR}/capi/capi_test.py
                 $<TARGET_FILE:podns_shared>)
set_tests_properties(priv.capi.c priv.capi.python PROPERTIES RUN_SERIAL TRUE SKIP_RETURN_CODE 77)
if(PODNS_SANITIZE)
  # python3 is not built with ASan: its runtime must be loaded first. Python
  # itself keeps memory to the end, which LeakSanitizer would report; the C
  # program above checks the library's leaks.
  execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=libasan.so
                  OUTPUT_VARIABLE podns_libasan OUTPUT_STRIP_TRAILING_WHITESPACE)
  set_tests_properties(priv.capi.python PROPERTIES
    ENVIRONMENT "LD_PRELOAD=${podns_libasan}"
    ENVIRONMENT_MODIFICATION "ASAN_OPTIONS=string_append::detect_leaks=0")
endif()
