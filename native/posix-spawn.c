/*
 * framesh's posix_spawn launcher (docs/ARCHITECTURE.md, "Spawning").
 *
 * libuv forks to start a child, copying the page tables of the whole server; glibc's posix_spawn uses
 * clone(CLONE_VM|CLONE_VFORK), whose cost does not grow with the parent. This addon does only what Node
 * cannot: create the three pipes, posix_spawn the command in its own session with default signal
 * dispositions and an empty mask, and watch a pidfd on Node's event loop to reap exactly that child
 * (never waitpid(-1): libuv reaps its own children by pid and must not lose them).
 * Everything else (PATH lookup, streams, error mapping) is in native-spawn-launcher.ts.
 *
 * spawn(path, argv[], envp[], cwd, onExit(code, signal)) -> [pid, stdinFd, stdoutFd, stderrFd]
 *   or a negative errno when nothing started. The fds are the server's ends of the pipes (O_CLOEXEC);
 *   onExit is called once with the exit code (or -1) and the signal number (or 0).
 * probe() -> true when this kernel has pidfd_open.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <node_api.h>
#include <uv.h>

#if !defined(__GLIBC__) || !__GLIBC_PREREQ(2, 29)
#error "needs glibc >= 2.29 (posix_spawn_file_actions_addchdir_np, POSIX_SPAWN_SETSID); framesh falls back"
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

extern char **environ;

typedef struct {
  uv_poll_t poll; /* first member: the uv handle's address is the struct's */
  napi_env env;
  napi_ref on_exit;
  napi_async_context async;
  pid_t pid;
  int pidfd;
} watch_t;

static int pidfd_open_(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }

/* Frees a NULL-terminated array of strings copied from JS. */
static void free_strings(char **list) {
  if (!list) return;
  for (char **p = list; *p; p++) free(*p);
  free(list);
}

/* Copies a JS string into a malloc'd C string; NULL on failure or when it holds a NUL byte. */
static char *copy_string(napi_env env, napi_value value) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, value, NULL, 0, &len) != napi_ok) return NULL;
  char *text = malloc(len + 1);
  if (!text) return NULL;
  napi_get_value_string_utf8(env, value, text, len + 1, &len);
  if (strlen(text) != len) { /* an embedded NUL would silently cut the argument */
    free(text);
    return NULL;
  }
  return text;
}

static char **copy_strings(napi_env env, napi_value array) {
  uint32_t count = 0;
  if (napi_get_array_length(env, array, &count) != napi_ok) return NULL;
  char **list = calloc((size_t)count + 1, sizeof(char *));
  if (!list) return NULL;
  for (uint32_t i = 0; i < count; i++) {
    napi_value item;
    if (napi_get_element(env, array, i, &item) != napi_ok || !(list[i] = copy_string(env, item))) {
      free_strings(list);
      return NULL;
    }
  }
  return list;
}

/*
 * sigfillset leaves out glibc's two internal signals (32, 33), and glibc's spawn child sets those to
 * SIG_IGN unless SETSIGDEF names them, so they would stay ignored across exec (libuv's children have
 * them at default). sigaddset refuses them, so set their bits directly: they only ever target threads
 * of this process, never the vfork child, so making them default there is safe.
 */
static void all_signals_including_internal(sigset_t *set) {
  unsigned long *words = (unsigned long *)set;
  size_t bits = 8 * sizeof(unsigned long);
  for (int sig = 1; sig < _NSIG; sig++) words[(sig - 1) / bits] |= 1UL << ((sig - 1) % bits);
}

static void on_closed(uv_handle_t *handle) { free(handle); }

static void on_pidfd_readable(uv_poll_t *handle, int status, int events) {
  watch_t *watch = (watch_t *)handle;
  (void)events;
  int wstatus = 0;
  pid_t got = waitpid(watch->pid, &wstatus, WNOHANG);
  if (got == 0 && status == 0) return; /* not exited yet (spurious wake-up) */
  int code = -1, signo = 0;
  if (got == watch->pid) {
    if (WIFEXITED(wstatus)) code = WEXITSTATUS(wstatus);
    else if (WIFSIGNALED(wstatus)) signo = WTERMSIG(wstatus);
  } else {
    signo = SIGKILL; /* cannot happen unless someone else reaped it; report it ended, not hang */
  }
  uv_poll_stop(handle);
  close(watch->pidfd);

  napi_env env = watch->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value fn, recv, argv[2], result;
  napi_get_reference_value(env, watch->on_exit, &fn);
  napi_get_global(env, &recv); /* napi_make_callback wants an object */
  napi_create_int32(env, code, &argv[0]);
  napi_create_int32(env, signo, &argv[1]);
  if (fn && napi_make_callback(env, watch->async, recv, fn, 2, argv, &result) == napi_pending_exception) {
    napi_value error;
    napi_get_and_clear_last_exception(env, &error);
    napi_fatal_exception(env, error);
  }
  napi_close_handle_scope(env, scope);
  napi_delete_reference(env, watch->on_exit);
  napi_async_destroy(env, watch->async);
  uv_close((uv_handle_t *)handle, on_closed);
}

static napi_value number(napi_env env, int32_t value) {
  napi_value result;
  napi_create_int32(env, value, &result);
  return result;
}

static void close_all(int *fds, int count) {
  for (int i = 0; i < count; i++)
    if (fds[i] >= 0) close(fds[i]);
}

static napi_value Spawn(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value args[5];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  if (argc < 5) {
    napi_throw_type_error(env, NULL, "spawn(path, argv, envp, cwd, onExit)");
    return NULL;
  }
  char *path = copy_string(env, args[0]);
  char *cwd = copy_string(env, args[3]);
  char **argv = copy_strings(env, args[1]);
  char **envp = copy_strings(env, args[2]);
  watch_t *watch = calloc(1, sizeof(watch_t));
  int fds[6] = {-1, -1, -1, -1, -1, -1}; /* stdin r,w; stdout r,w; stderr r,w */
  int err = 0;
  pid_t pid = -1;
  if (!path || !cwd || !argv || !envp) err = EINVAL; /* also: a NUL byte inside a string */
  else if (!watch) err = ENOMEM;
  for (int i = 0; i < 3 && !err; i++)
    if (pipe2(fds + 2 * i, O_CLOEXEC) != 0) err = errno;

  if (!err) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    sigset_t all, none;
    sigfillset(&all);
    all_signals_including_internal(&all);
    sigemptyset(&none);
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
    /* dup2 clears O_CLOEXEC on the target; the originals close at exec. */
    posix_spawn_file_actions_adddup2(&actions, fds[0], 0);
    posix_spawn_file_actions_adddup2(&actions, fds[3], 1);
    posix_spawn_file_actions_adddup2(&actions, fds[5], 2);
    posix_spawn_file_actions_addchdir_np(&actions, cwd);
#if __GLIBC_PREREQ(2, 34)
    /* Also closes descriptors this process inherited without O_CLOEXEC (libuv would leak those). */
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);
#endif
    /* Own session and group; Node ignores SIGPIPE and ignored signals survive exec: reset them all. */
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setsigmask(&attr, &none);
    /* glibc (>= 2.24) spawns with CLONE_VFORK and returns the child's chdir/exec errno here. */
    err = posix_spawn(&pid, path, &actions, &attr, argv, envp);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
  free(path);
  free(cwd);
  free_strings(argv);
  free_strings(envp);
  if (err) {
    close_all(fds, 6);
    free(watch);
    return number(env, -err);
  }
  /* The child's ends belong to it now. */
  close(fds[0]);
  close(fds[3]);
  close(fds[5]);

  watch->env = env;
  watch->pid = pid;
  watch->pidfd = pidfd_open_(pid); /* unreaped, so valid even if it already exited */
  uv_loop_t *loop = NULL;
  napi_value resource_name;
  napi_create_string_utf8(env, "framesh:spawn", NAPI_AUTO_LENGTH, &resource_name);
  if (watch->pidfd < 0 || napi_get_uv_event_loop(env, &loop) != napi_ok ||
      uv_poll_init(loop, &watch->poll, watch->pidfd) != 0) {
    /* Cannot watch it: do not leave an unwatched process behind. */
    int watch_err = errno ? errno : EINVAL;
    kill(-pid, SIGKILL);
    waitpid(pid, NULL, 0);
    if (watch->pidfd >= 0) close(watch->pidfd);
    free(watch);
    close(fds[1]);
    close(fds[2]);
    close(fds[4]);
    return number(env, -watch_err);
  }
  napi_create_reference(env, args[4], 1, &watch->on_exit);
  napi_async_init(env, NULL, resource_name, &watch->async);
  uv_poll_start(&watch->poll, UV_READABLE, on_pidfd_readable);

  napi_value result;
  napi_create_array_with_length(env, 4, &result);
  napi_set_element(env, result, 0, number(env, pid));
  napi_set_element(env, result, 1, number(env, fds[1]));
  napi_set_element(env, result, 2, number(env, fds[2]));
  napi_set_element(env, result, 3, number(env, fds[4]));
  return result;
}

static napi_value Probe(napi_env env, napi_callback_info info) {
  (void)info;
  int fd = pidfd_open_(getpid());
  if (fd >= 0) close(fd);
  napi_value result;
  napi_get_boolean(env, fd >= 0, &result);
  return result;
}

static napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"spawn", NULL, Spawn, NULL, NULL, NULL, napi_default, NULL},
      {"probe", NULL, Probe, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, 2, props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
