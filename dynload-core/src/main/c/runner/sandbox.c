/*
 * The runner's limits and sandbox, applied before any library code runs (before dlopen, whose
 * constructors are the library's code) and before the worker threads start, so that every thread of the
 * process is bound by them. The host asks for them with options after the mode:
 *
 *   --memory BYTES   RLIMIT_AS: the address space (malloc then gives NULL; mmap fails)
 *   --cpu SECONDS    RLIMIT_CPU: CPU time (SIGXCPU when it is spent; SIGKILL a second later)
 *   --files N        RLIMIT_NOFILE: open descriptors
 *   --deny net       seccomp: socket() of any family but AF_UNIX, and io_uring_setup (which can open sockets)
 *   --deny exec      seccomp: execve and execveat
 *   --write DIR      Landlock: writing, creating, removing, renaming and truncating files only beneath the
 *                    DIRs given (none: nowhere); reading is not restricted
 *
 * A sandbox sets no_new_privs. A system call the seccomp filter denies fails with EPERM, and the runner
 * reports it (the SIGSYS handler below writes a line to the log pipe or stderr), so a denial is never a
 * silent crash. Landlock refuses with EACCES and tells no one; the docs say so.
 */
#define _GNU_SOURCE
#include "runner.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>
#include <malloc.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#if defined(__x86_64__)
#define AUDIT_THIS_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define AUDIT_THIS_ARCH AUDIT_ARCH_AARCH64
#else
#error "dynload-runner: no seccomp architecture for this CPU"
#endif

#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#define SYS_landlock_add_rule 445
#define SYS_landlock_restrict_self 446
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14) /* Landlock ABI 3; older headers lack it */
#endif
#ifndef SYS_io_uring_setup
#define SYS_io_uring_setup 425
#endif

/* Where a denial is reported: the log pipe (plugin mode) or stderr. */
static int report_fd = 2;
static int report_as_record;

/* Appends text at *at within buffer[0..size), async-signal-safe. */
static void put(char *buffer, size_t size, size_t *at, const char *text) {
    while (*text && *at + 1 < size) {
        buffer[(*at)++] = *text++;
    }
}

static const char *syscall_name(long nr) {
    if (nr == SYS_socket) return "socket";
    if (nr == SYS_execve) return "execve";
    if (nr == SYS_execveat) return "execveat";
    if (nr == SYS_io_uring_setup) return "io_uring_setup";
    return "a system call";
}

/* SIGSYS from the filter: the call did not run; make it fail with EPERM, and say so. Async-signal-safe. */
static void denied(int signal, siginfo_t *info, void *context) {
    (void) signal;
    ucontext_t *uc = context;
#if defined(__x86_64__)
    uc->uc_mcontext.gregs[REG_RAX] = -EPERM;
#else
    uc->uc_mcontext.regs[0] = (unsigned long long) -EPERM;
#endif
    char text[256];
    size_t n = 0;
    char number[24];
    int k = sizeof number - 1;
    long nr = info->si_syscall;
    number[k] = 0;
    do {
        number[--k] = (char) ('0' + nr % 10);
        nr /= 10;
    } while (nr > 0 && k > 0);
    put(text, sizeof text, &n, "the sandbox denied ");
    put(text, sizeof text, &n, syscall_name(info->si_syscall));
    put(text, sizeof text, &n, " (system call ");
    put(text, sizeof text, &n, number + k);
    put(text, sizeof text, &n, "); it failed with EPERM");
    if (report_as_record) {
        uint32_t head[3] = {0xffffffffu, 0 /* DLP_LOG_ERROR */, (uint32_t) n};
        char record[12 + sizeof text];
        memcpy(record, head, sizeof head);
        memcpy(record + 12, text, n);
        ssize_t ignored = write(report_fd, record, 12 + n);
        (void) ignored;
    } else {
        text[n++] = '\n';
        ssize_t ignored = write(report_fd, text, n);
        (void) ignored;
    }
}

static int install_filter(int deny_net, int deny_exec, char *why, size_t size) {
    struct sock_filter f[32];
    int n = 0;
    f[n++] = (struct sock_filter) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
    f[n++] = (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_THIS_ARCH, 1, 0);
    f[n++] = (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
    f[n++] = (struct sock_filter) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
#if defined(__x86_64__)
    /* The x32 ABI's numbers (bit 30) would reach the same calls by other numbers. */
    f[n++] = (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000u, 0, 1);
    f[n++] = (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP);
#endif
    if (deny_exec) {
        f[n++] = (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_execve, 0, 1);
        f[n++] = (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP);
        f[n++] = (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_execveat, 0, 1);
        f[n++] = (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP);
    }
    if (deny_net) {
        f[n++] = (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_io_uring_setup, 0, 1);
        f[n++] = (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP);
        f[n++] = (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_socket, 0, 4);
        /* socket(domain, ...): the low 32 bits of the first argument (little-endian on both CPUs) */
        f[n++] = (struct sock_filter) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0]));
        f[n++] = (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_UNIX, 0, 1);
        f[n++] = (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
        f[n++] = (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP);
    }
    f[n++] = (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    struct sock_fprog program = {(unsigned short) n, f};
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = denied;
    action.sa_flags = SA_SIGINFO;
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGSYS, &action, NULL) != 0) {
        snprintf(why, size, "the sandbox's SIGSYS handler could not be set: %s", strerror(errno));
        return -1;
    }
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program) != 0) {
        snprintf(why, size, "the sandbox's seccomp filter was refused: %s", strerror(errno));
        return -1;
    }
    return 0;
}

/* Landlock: writes only beneath the folders given. */
static int restrict_writes(char **folders, int count, char *why, size_t size) {
    long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
    if (abi < 1) {
        snprintf(why, size, "the sandbox limits writes to given folders, which needs Landlock (Linux 5.13 or later, "
                 "enabled); this kernel says: %s", strerror(errno));
        return -1;
    }
    __u64 writes = LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE
                   | LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG
                   | LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK
                   | LANDLOCK_ACCESS_FS_MAKE_SYM;
    if (abi >= 2) {
        writes |= LANDLOCK_ACCESS_FS_REFER;
    }
    if (abi >= 3) {
        writes |= LANDLOCK_ACCESS_FS_TRUNCATE;
    }
    struct landlock_ruleset_attr attributes;
    memset(&attributes, 0, sizeof attributes);
    attributes.handled_access_fs = writes;
    int ruleset = (int) syscall(SYS_landlock_create_ruleset, &attributes, sizeof attributes, 0);
    if (ruleset < 0) {
        snprintf(why, size, "the sandbox's Landlock ruleset was refused: %s", strerror(errno));
        return -1;
    }
    for (int i = 0; i < count; i++) {
        struct landlock_path_beneath_attr rule;
        rule.allowed_access = writes;
        rule.parent_fd = open(folders[i], O_PATH | O_CLOEXEC | O_DIRECTORY);
        if (rule.parent_fd < 0) {
            snprintf(why, size, "the sandbox's writable folder %s cannot be opened: %s", folders[i], strerror(errno));
            close(ruleset);
            return -1;
        }
        long added = syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &rule, 0);
        int error = errno;
        close(rule.parent_fd);
        if (added != 0) {
            snprintf(why, size, "the sandbox's writable folder %s was refused by Landlock: %s", folders[i],
                     strerror(error));
            close(ruleset);
            return -1;
        }
    }
    long restricted = syscall(SYS_landlock_restrict_self, ruleset, 0);
    int error = errno;
    close(ruleset);
    if (restricted != 0) {
        snprintf(why, size, "Landlock did not restrict the runner: %s", strerror(error));
        return -1;
    }
    return 0;
}

static int limit(int resource, const char *value, const char *name, char *why, size_t size) {
    char *end;
    unsigned long long n = strtoull(value, &end, 10);
    if (*value == 0 || *end != 0) {
        snprintf(why, size, "the host asked for a %s limit of '%s'", name, value);
        return -1;
    }
    /* CPU: SIGXCPU at the limit, SIGKILL a second later if it is caught */
    struct rlimit r = {(rlim_t) n, resource == RLIMIT_CPU ? (rlim_t) n + 1 : (rlim_t) n};
    if (setrlimit(resource, &r) != 0) {
        snprintf(why, size, "the %s limit of %llu was refused: %s", name, n, strerror(errno));
        return -1;
    }
    return 0;
}

int apply_sandbox(int argc, char **argv, int first, int log_fd, char *why, size_t size) {
    int deny_net = 0;
    int deny_exec = 0;
    int writes_limited = 0;
    char *folders[64];
    int folder_count = 0;
    for (int i = first; i < argc; i++) {
        const char *option = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (!value) {
            snprintf(why, size, "the host gave %s without a value", option);
            return -1;
        }
        i++;
        if (strcmp(option, "--memory") == 0) {
            mallopt(M_ARENA_MAX, 2); /* each thread's arena would reserve 64 MiB of address space */
            if (limit(RLIMIT_AS, value, "memory", why, size) != 0) return -1;
        } else if (strcmp(option, "--cpu") == 0) {
            if (limit(RLIMIT_CPU, value, "CPU time", why, size) != 0) return -1;
        } else if (strcmp(option, "--files") == 0) {
            if (limit(RLIMIT_NOFILE, value, "open files", why, size) != 0) return -1;
        } else if (strcmp(option, "--deny") == 0 && strcmp(value, "net") == 0) {
            deny_net = 1;
        } else if (strcmp(option, "--deny") == 0 && strcmp(value, "exec") == 0) {
            deny_exec = 1;
        } else if (strcmp(option, "--write") == 0) {
            writes_limited = 1;
            if (*value && folder_count < 64) {
                folders[folder_count++] = (char *) value;
            }
        } else {
            snprintf(why, size, "the host asked for '%s %s', which this runner does not know", option, value);
            return -1;
        }
    }
    if (!deny_net && !deny_exec && !writes_limited) {
        return 0;
    }
    if (log_fd >= 0) {
        report_fd = log_fd;
        report_as_record = 1;
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        snprintf(why, size, "no_new_privs was refused: %s", strerror(errno));
        return -1;
    }
    if (writes_limited && restrict_writes(folders, folder_count, why, size) != 0) {
        return -1;
    }
    if ((deny_net || deny_exec) && install_filter(deny_net, deny_exec, why, size) != 0) {
        return -1;
    }
    return 0;
}
