/* The C API from C, compiled as C (C11) and linked with libpodns.so: every
 * function, the errors of bad JSON, unknown keys, wrong types and a bad ID
 * (refused with its message, nothing made), and a pod created, inspected,
 * listed, joined by an OCI config, stopped and removed.
 *
 * Root: makes namespaces. Exits 77 (skipped) when it cannot run, unless
 * PODNS_REQUIRE_PRIVILEGED=1 or CI=true, when it fails instead. */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "podns/c.h"

static int failures = 0;

#define CHECK(cond)                                                       \
  do {                                                                    \
    if (!(cond)) {                                                        \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      failures++;                                                         \
    }                                                                     \
  } while (0)

/* error is set, holds `want`, and is freed. */
static void expect_error(char* error, const char* want, int line) {
  if (error == NULL) {
    fprintf(stderr, "line %d: no error message, wanted one with \"%s\"\n", line, want);
    failures++;
    return;
  }
  if (strstr(error, want) == NULL) {
    fprintf(stderr, "line %d: error \"%s\" does not say \"%s\"\n", line, error, want);
    failures++;
  }
  podns_free(error);
}
#define EXPECT_ERROR(error, want) expect_error((error), (want), __LINE__)

static int must_run(void) {
  const char* req = getenv("PODNS_REQUIRE_PRIVILEGED");
  const char* ci = getenv("CI");
  return (req != NULL && strcmp(req, "1") == 0) || (ci != NULL && strcmp(ci, "true") == 0);
}

static int remove_entry(const char* path, const struct stat* st, int flag, struct FTW* ftw) {
  (void)st;
  (void)flag;
  (void)ftw;
  return remove(path);
}

int main(void) {
  if (geteuid() != 0) {
    fprintf(stderr, "capi_test: not running as root\n");
    return must_run() ? 1 : 77;
  }
  char dir[] = "/tmp/podns-capi.XXXXXX";
  if (mkdtemp(dir) == NULL) return 1;
  char root[64], state[64], conf[64], cache[64], config[512];
  snprintf(root, sizeof root, "%s/root", dir);
  snprintf(state, sizeof state, "%s/state", dir);
  snprintf(conf, sizeof conf, "%s/cni-conf", dir);
  snprintf(cache, sizeof cache, "%s/cni-cache", dir);
  mkdir(conf, 0700);
  snprintf(config, sizeof config,
           "{\"root\": \"%s\", \"state_dir\": \"%s\", \"cni_conf_dir\": \"%s\", "
           "\"cni_cache_dir\": \"%s\", \"cni_timeout\": 30}",
           root, state, conf, cache);

  char* error = NULL;
  /* Opening: bad JSON, an unknown key, a wrong type, a bad value. */
  CHECK(podns_open("{not json", &error) == NULL);
  EXPECT_ERROR(error, "configuration is not valid JSON");
  CHECK(podns_open("[1, 2]", &error) == NULL);
  EXPECT_ERROR(error, "configuration is not a JSON object");
  CHECK(podns_open("{\"rooot\": \"/x\"}", &error) == NULL);
  EXPECT_ERROR(error, "unknown key \"rooot\"");
  CHECK(podns_open("{\"root\": 5}", &error) == NULL);
  EXPECT_ERROR(error, "\"root\" must be a string");
  CHECK(podns_open("{\"cni_timeout\": -1}", &error) == NULL);
  EXPECT_ERROR(error, "\"cni_timeout\" must be a number of seconds");
  CHECK(podns_open("{\"auto_pool_first\": 4294967296}", &error) == NULL);
  EXPECT_ERROR(error, "\"auto_pool_first\" must be an integer in 0..4294967295");

  error = (char*)"not touched";
  podns_t* p = podns_open(config, &error);
  CHECK(p != NULL);
  CHECK(error == NULL);
  if (p == NULL) return 1;

  /* Creating: refused before anything is made. */
  CHECK(podns_create(p, NULL, &error) == NULL);
  EXPECT_ERROR(error, "create options is NULL");
  CHECK(podns_create(p, "{\"id\": ", &error) == NULL);
  EXPECT_ERROR(error, "create options is not valid JSON");
  CHECK(podns_create(p, "{\"id\": \"../x\", \"userns_auto\": true, \"network\": \"none\"}",
                     &error) == NULL);
  EXPECT_ERROR(error, "sandbox ID \"../x\" is invalid");
  CHECK(podns_create(p, "{\"id\": \"c1\", \"network\": \"none\"}", &error) == NULL);
  EXPECT_ERROR(error, "give exactly one of");
  CHECK(podns_create(p, "{\"id\": \"c1\", \"no_userns\": true, \"ipc\": \"yes\"}", &error) ==
        NULL);
  EXPECT_ERROR(error, "\"ipc\" must be true or false");
  CHECK(podns_create(p, "{\"id\": \"c1\", \"no_userns\": true, \"bogus\": 1}", &error) == NULL);
  EXPECT_ERROR(error, "unknown key \"bogus\"");
  CHECK(podns_create(p,
                     "{\"id\": \"c1\", \"uid_mappings\": [{\"container_id\": 0, \"host_id\": 0, "
                     "\"size\": 65536}], \"gid_mappings\": [{\"container_id\": 0, \"host_id\": "
                     "0, \"size\": 65536}], \"network\": \"none\"}",
                     &error) == NULL);
  EXPECT_ERROR(error, "host uid or gid 0");
  CHECK(podns_create(p,
                     "{\"id\": \"c1\", \"uid_mappings\": [{\"container_id\": 0, \"host_id\": "
                     "4294967296, \"size\": 1}], \"gid_mappings\": [{\"container_id\": 0, "
                     "\"host_id\": 1000, \"size\": 1}], \"network\": \"none\"}",
                     &error) == NULL);
  EXPECT_ERROR(error, "\"uid_mappings\": ID mapping");
  char* list = podns_list(p, &error);
  CHECK(list != NULL && strcmp(list, "[]") == 0);
  podns_free(list);

  /* A pod, and every operation on it. */
  char* created = podns_create(
      p,
      "{\"id\": \"c1\", \"uid_mappings\": [{\"container_id\": 0, \"host_id\": 300000, \"size\": "
      "65536}], \"gid_mappings\": [{\"container_id\": 0, \"host_id\": 300000, \"size\": 65536}], "
      "\"network\": \"none\", \"uts\": true, \"hostname\": \"c-one\", \"sysctls\": "
      "{\"net.ipv4.ip_unprivileged_port_start\": \"80\"}}",
      &error);
  CHECK(created != NULL);
  if (created == NULL) {
    fprintf(stderr, "create: %s\n", error ? error : "(no message)");
    podns_free(error);
    return 1;
  }
  CHECK(error == NULL);
  CHECK(strstr(created, "\"id\":\"c1\"") != NULL);
  CHECK(strstr(created, "\"state\":\"ready\"") != NULL);
  CHECK(strstr(created, "\"host_id\":300000") != NULL);
  podns_free(created);

  CHECK(podns_create(p, "{\"id\": \"c1\", \"userns_auto\": 1000, \"network\": \"none\"}",
                     &error) == NULL);
  EXPECT_ERROR(error, "c1");

  char* inspected = podns_inspect(p, "c1", &error);
  CHECK(inspected != NULL && strstr(inspected, "/c1/net\"") != NULL);
  CHECK(inspected != NULL && strstr(inspected, "\"hostname\":\"c-one\"") != NULL);
  podns_free(inspected);
  CHECK(podns_inspect(p, "../x", &error) == NULL);
  EXPECT_ERROR(error, "sandbox ID \"../x\" is invalid");
  CHECK(podns_inspect(p, "nope", &error) == NULL);
  EXPECT_ERROR(error, "no sandbox nope");
  CHECK(podns_inspect(p, NULL, &error) == NULL);
  EXPECT_ERROR(error, "sandbox ID is NULL");

  list = podns_list(p, &error);
  CHECK(list != NULL && strstr(list, "\"id\":\"c1\"") != NULL);
  podns_free(list);

  char* spec = podns_spec(
      p, "c1", "{\"ociVersion\": \"1.0.2\", \"linux\": {\"namespaces\": [{\"type\": \"pid\"}]}}",
      &error);
  CHECK(spec != NULL && strstr(spec, "/c1/user") != NULL);
  CHECK(spec != NULL && strstr(spec, "\"hostID\": 300000") != NULL);
  podns_free(spec);
  CHECK(podns_spec(p, "c1", "{\"linux\": ", &error) == NULL);
  EXPECT_ERROR(error, "JSON");

  CHECK(podns_stop(p, "c1", &error) == 0);
  CHECK(error == NULL);
  CHECK(podns_stop(p, "../x", &error) == EINVAL);
  EXPECT_ERROR(error, "is invalid");
  CHECK(podns_remove(p, "c1", &error) == 0);
  CHECK(error == NULL);
  CHECK(podns_remove(p, "c1", &error) == ENOENT);
  EXPECT_ERROR(error, "no sandbox c1");
  /* An automatic range, removed again. */
  created = podns_create(p, "{\"id\": \"c2\", \"userns_auto\": 4096, \"network\": \"none\"}",
                         &error);
  CHECK(created != NULL && strstr(created, "\"size\":4096") != NULL);
  podns_free(created);
  CHECK(podns_remove(p, "c2", NULL) == 0);

  char* recovered = podns_recover(p, &error);
  CHECK(recovered != NULL && strcmp(recovered, "[]") == 0);
  podns_free(recovered);
  CHECK(podns_list(NULL, &error) == NULL);
  EXPECT_ERROR(error, "podns_t is NULL");

  podns_close(p);
  podns_close(NULL);
  podns_free(NULL);

  umount2(root, MNT_DETACH);
  nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  if (failures != 0) {
    fprintf(stderr, "capi_test: %d check(s) failed\n", failures);
    return 1;
  }
  printf("capi_test: every check passed\n");
  return 0;
}
