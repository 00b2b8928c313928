/* The C API of libpodns: JSON in and out, for programs in C and for the
 * languages that call C (Go through cgo, Rust, Python through ctypes).
 *
 *   char* err = NULL;
 *   podns_t* p = podns_open("{\"root\": \"/run/podns\", \"state_dir\": \"/var/lib/podns\"}", &err);
 *   if (!p) { fprintf(stderr, "%s\n", err); podns_free(err); return 1; }
 *   char* s = podns_create(p, "{\"id\": \"web-1\", \"userns_auto\": true}", &err);
 *   ...                            // s: the sandbox as `podns inspect` prints it
 *   podns_free(s);
 *   podns_remove(p, "web-1", &err);
 *   podns_close(p);
 *
 * Every function that can fail takes `char** error`. On failure it returns
 * NULL (or, for those returning int, the error's errno value, never 0) and,
 * when `error` is not NULL, sets *error to a message (the step, the path and
 * the system's error, as the command prints them) that the caller frees with
 * podns_free. On success *error is set to NULL. Strings returned are JSON
 * texts, NUL-terminated, allocated with malloc, freed with podns_free.
 *
 * Bad JSON, an unknown key, a value of the wrong type or out of range, and a
 * bad ID are errors (EINVAL) reported before anything is made; no input makes
 * a call abort, and no C++ exception leaves a function of this API.
 *
 * Configuration (podns_open), every key optional, defaults as for the command:
 *   root, state_dir, cni_conf_dir, cni_cache_dir, ip_netns_dir   strings
 *   cni_bin_dirs        array of strings (where plugins are looked up)
 *   cni_timeout         seconds a plugin may run (a number > 0)
 *   cni_max_output      bytes a plugin may write per stream (an integer > 0)
 *   auto_pool_first, auto_pool_last   the host IDs automatic ranges come from
 *
 * Create options (podns_create): the keys of `podns inspect`'s object and
 * the options of `podns create`, with underscores:
 *   id                      required
 *   uid_mappings, gid_mappings   [{"container_id": C, "host_id": H, "size": S}, ...]
 *   userns_auto             true (65536 IDs) or a size: a free host range from the pool
 *   no_userns               true: no user namespace (a netns owned by the host's)
 *     exactly one of: both mappings, userns_auto, no_userns
 *   network                 a CNI network name, "none", or null/absent for the default
 *   host_network, ipc, uts, ip_netns, allow_host_root, allow_overlap,
 *   userns_owned_by_pod, no_default_sysctls, timings    booleans
 *   hostname                string (needs uts)
 *   sysctls                 {"net.KEY": "VALUE", ...}
 *
 * A podns_t is not to be used from two threads at once; two podns_t, in one
 * process or several, work on the same state safely (the sandbox locks).
 */
#ifndef PODNS_C_H
#define PODNS_C_H

#include "podns/export.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
/* C++ may not have a struct and the namespace podns of one name, so there
 * the handle's tag is another; the functions are extern "C", their names
 * unmangled: the same ABI. */
typedef struct podns_c_handle podns_t;  // NOLINT(modernize-use-using): C
#else
typedef struct podns podns_t;
#endif

/* Opens the state database (creating it) with the configuration's JSON
 * object; NULL for every default. */
PODNS_PUBLIC podns_t* podns_open(const char* config_json, char** error);
/* Creates a sandbox; returns its inspect JSON. */
PODNS_PUBLIC char* podns_create(podns_t* p, const char* options_json, char** error);
/* The sandbox's inspect JSON; ENOENT's message when there is none. */
PODNS_PUBLIC char* podns_inspect(podns_t* p, const char* id, char** error);
/* A JSON array of every sandbox's inspect object. */
PODNS_PUBLIC char* podns_list(podns_t* p, char** error);
/* Detaches the network, keeps the pins: 0, or an errno value. */
PODNS_PUBLIC int podns_stop(podns_t* p, const char* id, char** error);
/* Unpins and forgets the sandbox: 0, or an errno value. */
PODNS_PUBLIC int podns_remove(podns_t* p, const char* id, char** error);
/* Reconciles the state with the pins; a JSON array of
 * {"sandbox": ID, "action": TEXT, "ok": BOOL, "error": TEXT or null}. */
PODNS_PUBLIC char* podns_recover(podns_t* p, char** error);
/* The OCI runtime config `oci_config_json` rewritten so that its container
 * joins sandbox `id` (as `podns spec` writes config.json). */
PODNS_PUBLIC char* podns_spec(podns_t* p, const char* id, const char* oci_config_json,
                              char** error);
/* Closes the database; NULL is allowed. */
PODNS_PUBLIC void podns_close(podns_t* p);
/* Frees what this API returned or put in *error; NULL is allowed. */
PODNS_PUBLIC void podns_free(void* ptr);

#ifdef __cplusplus
}
#endif

#endif /* PODNS_C_H */
