# shellcheck shell=bash
# Debian package installs for scripts/install/*.sh. Source it after lib/common.sh, never run it.

# Keeps maintainer scripts from starting daemons (the standard Debian policy-rc.d hook): the stack runs
# its own instances on its own ports. A policy-rc.d that is already there (containers ship one) is left
# alone. Returns 1 when it did not add one (nothing to remove afterwards).
block_daemon_autostart() {
  [[ -e /usr/sbin/policy-rc.d ]] && return 1
  as_root sh -c 'printf "#!/bin/sh\nexit 101\n" >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d'
}

# apt_install <package[=version]>...: non-interactive, keeps local config files, starts no daemon.
apt_install() {
  local added=0
  block_daemon_autostart && added=1
  local rc=0
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@" || rc=$?
  ((added)) && as_root rm -f /usr/sbin/policy-rc.d
  return "$rc"
}

# The version apt would install for a package ("" when it knows none).
apt_candidate() { apt-cache policy "$1" 2>/dev/null | awk '$1 == "Candidate:" && $2 != "(none)" { print $2 }'; }
