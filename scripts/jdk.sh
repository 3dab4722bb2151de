# Sourced by dynload's scripts: points JAVA_HOME at a JDK 25 or newer.
# Order: $JAVA_HOME if it is new enough, else the newest JDK in the system's JVM folder.
# Prints what to install and returns 1 when there is none.

dynload_jdk_feature() {
    # Feature release of the JDK at $1 (25 for "25.0.3"), or nothing when $1 is not a JDK.
    [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 1
    local v
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" 2>/dev/null)
    [ -n "$v" ] || v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 |
        sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')
    [ -n "$v" ] && echo "$v"
}

dynload_find_jdk() {
    local need=25 best="" best_v=0 dir v
    if [ -n "${JAVA_HOME:-}" ]; then
        v=$(dynload_jdk_feature "$JAVA_HOME")
        if [ -n "$v" ] && [ "$v" -ge "$need" ]; then
            echo "$JAVA_HOME"
            return 0
        fi
    fi
    for dir in "${DYNLOAD_JVM_DIR:-/usr/lib/jvm}"/*; do
        [ -L "$dir" ] && continue
        v=$(dynload_jdk_feature "$dir") || continue
        if [ "$v" -ge "$need" ] && [ "$v" -gt "$best_v" ]; then
            best="$dir"
            best_v="$v"
        fi
    done
    if [ -z "$best" ]; then
        echo "dynload needs a JDK $need or newer, and found none: JAVA_HOME is '${JAVA_HOME:-unset}'" \
             "and ${DYNLOAD_JVM_DIR:-/usr/lib/jvm} holds no JDK $need+." >&2
        echo "Install one (on Debian or Ubuntu: apt-get install temurin-25-jdk from the Adoptium" \
             "repository, or unpack a JDK 25 and set JAVA_HOME to it), then run this again." >&2
        return 1
    fi
    echo "$best"
}

JAVA_HOME=$(dynload_find_jdk) || return 1 2>/dev/null || exit 1
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
