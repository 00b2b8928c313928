# The C API (include/podns/c.h): JSON in and out over the Manager, for
# programs in C, Go (cgo), Rust and Python (ctypes).
target_sources(podns_objects PRIVATE
  src/lib/c_api.cc
  src/lib/c_options.cc
)
