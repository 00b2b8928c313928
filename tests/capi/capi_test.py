#!/usr/bin/env python3
"""The C API from Python's ctypes, as a Python program would use libpodns.so:
errors come back as messages (a refused bad ID among them, nothing made),
a pod is created, inspected, listed, joined by an OCI config and removed.

    capi_test.py LIBPODNS_SO

Root: makes namespaces. Exits 77 (skipped) when it cannot run, unless
PODNS_REQUIRE_PRIVILEGED=1 or CI=true, when it fails instead.
"""
import ctypes
import errno
import json
import os
import shutil
import subprocess
import sys
import tempfile

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("check failed: " + what, file=sys.stderr)


class Podns:
    """A thin binding: JSON text in, Python objects out, errors raised."""

    class Error(Exception):
        def __init__(self, message, code=None):
            super().__init__(message)
            self.code = code

    def __init__(self, lib_path, config):
        lib = ctypes.CDLL(lib_path)
        err = ctypes.POINTER(ctypes.c_void_p)
        # Returned strings are void* (not c_char_p) so that they can be freed.
        for name, args in [("podns_create", [ctypes.c_void_p, ctypes.c_char_p, err]),
                           ("podns_inspect", [ctypes.c_void_p, ctypes.c_char_p, err]),
                           ("podns_list", [ctypes.c_void_p, err]),
                           ("podns_recover", [ctypes.c_void_p, err]),
                           ("podns_spec", [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, err])]:
            f = getattr(lib, name)
            f.restype = ctypes.c_void_p
            f.argtypes = args
        lib.podns_open.restype = ctypes.c_void_p
        lib.podns_open.argtypes = [ctypes.c_char_p, err]
        for name in ("podns_stop", "podns_remove"):
            getattr(lib, name).restype = ctypes.c_int
            getattr(lib, name).argtypes = [ctypes.c_void_p, ctypes.c_char_p, err]
        lib.podns_close.argtypes = [ctypes.c_void_p]
        lib.podns_free.argtypes = [ctypes.c_void_p]
        self.lib = lib
        self.handle = self._call(lib.podns_open, config, raw=True)

    def _take(self, ptr):
        text = ctypes.cast(ptr, ctypes.c_char_p).value.decode()
        self.lib.podns_free(ptr)
        return text

    def _call(self, f, *args, raw=False):
        error = ctypes.c_void_p()
        enc = [a.encode() if isinstance(a, str) else a for a in args]
        r = f(*enc, ctypes.byref(error))
        if f.restype == ctypes.c_int:
            if r != 0:
                raise Podns.Error(self._take(error), r)
            check(not error.value, f.__name__ + " succeeded but set *error")
            return None
        if not r:
            if not error.value:
                raise Podns.Error("(no message)")
            raise Podns.Error(self._take(error))
        check(not error.value, f.__name__ + " succeeded but set *error")
        return r if raw else json.loads(self._take(r))

    def create(self, options):
        return self._call(self.lib.podns_create, self.handle, options)

    def inspect(self, sandbox_id):
        return self._call(self.lib.podns_inspect, self.handle, sandbox_id)

    def list(self):
        return self._call(self.lib.podns_list, self.handle)

    def spec(self, sandbox_id, config):
        return self._call(self.lib.podns_spec, self.handle, sandbox_id, config)

    def stop(self, sandbox_id):
        return self._call(self.lib.podns_stop, self.handle, sandbox_id)

    def remove(self, sandbox_id):
        return self._call(self.lib.podns_remove, self.handle, sandbox_id)

    def recover(self):
        return self._call(self.lib.podns_recover, self.handle)

    def close(self):
        self.lib.podns_close(self.handle)


def refused(f, want, code=None):
    try:
        f()
    except Podns.Error as e:
        check(want in str(e), "error %r does not say %r" % (str(e), want))
        if code is not None:
            check(e.code == code, "error code %r, wanted %r" % (e.code, code))
        return
    check(False, "not refused (wanted %r)" % want)


def main():
    if os.geteuid() != 0:
        print("capi_test.py: not running as root", file=sys.stderr)
        must = os.environ.get("PODNS_REQUIRE_PRIVILEGED") == "1" or os.environ.get("CI") == "true"
        return 1 if must else 77
    lib_path = sys.argv[1]
    d = tempfile.mkdtemp(prefix="podns-capi-py.")
    root = d + "/root"
    os.mkdir(d + "/cni-conf", 0o700)
    config = json.dumps({"root": root, "state_dir": d + "/state", "cni_conf_dir": d + "/cni-conf",
                         "cni_cache_dir": d + "/cni-cache"})
    try:
        refused(lambda: Podns(lib_path, "{"), "configuration is not valid JSON")
        refused(lambda: Podns(lib_path, '{"state_dir": ["x"]}'), '"state_dir" must be a string')
        p = Podns(lib_path, config)
        # A bad ID is refused with its message, and nothing is made.
        refused(lambda: p.create(json.dumps({"id": "../etc", "userns_auto": True,
                                             "network": "none"})),
                'sandbox ID "../etc" is invalid')
        refused(lambda: p.inspect("a/b"), 'sandbox ID "a/b" is invalid')
        refused(lambda: p.remove("../etc"), "is invalid", errno.EINVAL)
        refused(lambda: p.create('{"id": "py1", "userns_auto": "yes"}'), '"userns_auto"')
        refused(lambda: p.create('{"id": "py1", "userns_auto": true, "hostnmae": "x"}'),
                'unknown key "hostnmae"')
        refused(lambda: p.create('{"id": "py1", "userns_auto": true, "sysctls": ["a=b"]}'),
                '"sysctls" must be an object')
        refused(lambda: p.create('{"id": "py1", "userns_auto": true, "network": "none", '
                                 '"sysctls": {"kernel.core_pattern": "|/bin/sh"}}'),
                "kernel.core_pattern")
        check(p.list() == [], "something was made by refused calls")
        check(not os.path.exists(root + "/etc"), "a directory was made for a refused ID")

        s = p.create(json.dumps({"id": "py1", "userns_auto": 65536, "network": "none",
                                 "ipc": True}))
        check(s["id"] == "py1" and s["state"] == "ready", "create: %r" % s)
        check(s["uid_mappings"][0]["size"] == 65536, "uid_mappings: %r" % s["uid_mappings"])
        check(s["ipcns"] == root + "/py1/ipc", "ipcns: %r" % s["ipcns"])
        # The pins are what inspect says.
        ns = subprocess.run(["stat", "-L", "-c", "%i", s["netns"]], capture_output=True, text=True)
        check(ns.returncode == 0 and int(ns.stdout) == s["netns_inode"], "netns pin: %r" % ns)
        check(p.inspect("py1") == s, "inspect differs from create")
        check([x["id"] for x in p.list()] == ["py1"], "list: %r" % p.list())
        oci = p.spec("py1", json.dumps({"linux": {"namespaces": [{"type": "network"}]}}))
        check({"type": "network", "path": s["netns"]} in oci["linux"]["namespaces"],
              "spec: %r" % oci)
        refused(lambda: p.create(json.dumps({"id": "py1", "no_userns": True, "network": "none"})),
                "py1")
        p.stop("py1")
        check(p.inspect("py1")["state"] == "stopped", "not stopped")
        p.remove("py1")
        refused(lambda: p.inspect("py1"), "no sandbox py1")
        refused(lambda: p.remove("py1"), "no sandbox py1", errno.ENOENT)
        check(p.recover() == [], "recover: %r" % p.recover())
        p.close()
    finally:
        subprocess.run(["umount", "-l", root], stderr=subprocess.DEVNULL)
        shutil.rmtree(d, ignore_errors=True)
    if failures:
        print("capi_test.py: %d check(s) failed" % len(failures), file=sys.stderr)
        return 1
    print("capi_test.py: every check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
