/* A C program on libpodns's C API: creates a pod with its own user namespace
 * (an automatic host range) and no network, prints its JSON, removes it.
 * As root:   podns-example-c ROOT STATE_DIR */
#include <podns/c.h>
#include <stdio.h>

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s ROOT STATE_DIR\n", argv[0]);
    return 2;
  }
  char config[4096];
  snprintf(config, sizeof config, "{\"root\": \"%s\", \"state_dir\": \"%s\"}", argv[1], argv[2]);
  char* error = NULL;
  podns_t* p = podns_open(config, &error);
  if (p == NULL) {
    fprintf(stderr, "%s\n", error);
    podns_free(error);
    return 1;
  }
  char* pod = podns_create(p, "{\"id\": \"example-c\", \"userns_auto\": true, \"network\": \"none\"}",
                           &error);
  if (pod == NULL) {
    fprintf(stderr, "%s\n", error);
    podns_free(error);
    podns_close(p);
    return 1;
  }
  printf("%s\n", pod);
  podns_free(pod);
  int rc = podns_remove(p, "example-c", &error);
  if (rc != 0) {
    fprintf(stderr, "%s\n", error);
    podns_free(error);
  }
  podns_close(p);
  return rc == 0 ? 0 : 1;
}
