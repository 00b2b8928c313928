/* PODNS_PUBLIC marks what libpodns.so exports. The library is built with
 * hidden visibility (-fvisibility=hidden -fvisibility-inlines-hidden): only
 * the declarations of the installed headers that carry this macro are
 * visible to programs linking it. C and C++. */
#ifndef PODNS_EXPORT_H
#define PODNS_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
#define PODNS_PUBLIC __attribute__((visibility("default")))
/* For what a PODNS_PUBLIC class declares but does not export (Manager::Impl). */
#define PODNS_HIDDEN __attribute__((visibility("hidden")))
#else
#define PODNS_PUBLIC
#define PODNS_HIDDEN
#endif

#endif /* PODNS_EXPORT_H */
