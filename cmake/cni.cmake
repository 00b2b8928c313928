# The CNI runtime (include/podns/cni/): network configurations, plugin
# execution, results, the result cache and the operations over a network.
target_sources(podns_objects PRIVATE
  src/lib/cni/version.cc
  src/lib/cni/validate.cc
  src/lib/cni/parse.cc
  src/lib/cni/config.cc
  src/lib/cni/request.cc
  src/lib/cni/exec.cc
  src/lib/cni/result.cc
  src/lib/cni/cache.cc
  src/lib/cni/client.cc
  src/lib/cni/pod.cc
)
