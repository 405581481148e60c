/*
 * trim(): glibc's malloc_trim(0). Threads that ended (a sync run, the configuration reader) and
 * bursts of work leave free memory in the allocator's arenas, which glibc keeps resident: on an
 * agent idle for hours that is several megabytes. Returns whether memory went back to the system;
 * false where there is no glibc (Windows, macOS, musl).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <node_api.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

static napi_value Trim(napi_env env, napi_callback_info info) {
  (void)info;
  bool released = false;
#if defined(__GLIBC__)
  released = malloc_trim(0) != 0;
#endif
  napi_value out;
  napi_get_boolean(env, released, &out);
  return out;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_value available;
#if defined(__GLIBC__)
  napi_get_boolean(env, true, &available);
#else
  napi_get_boolean(env, false, &available);
#endif
  napi_create_function(env, "trim", NAPI_AUTO_LENGTH, Trim, NULL, &fn);
  napi_set_named_property(env, exports, "trim", fn);
  napi_set_named_property(env, exports, "available", available);
  return exports;
}
