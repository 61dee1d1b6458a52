# sipoutcome_kamailio.m4 - build an out-of-tree module against an installed Kamailio
#
# Kamailio refuses a module whose module_version or module_flags string differs
# from its own (ksr_version_control(), src/core/sr_module.c), and struct layouts
# depend on the same -D set.  There is no -dev package on Debian, so the defines
# are taken from the matching source tree (`make printcdefs`) and then checked
# against what the installed binary prints for `kamailio -V`.
#
# Macros, in the order configure.ac calls them:
#   SO_KAMAILIO_BINARY   KAMAILIO, KAMCMD; the binary's version and flags strings
#   SO_KAMAILIO_SRC      --with-kamailio-src, KAMAILIO_SRC, KAMAILIO_CPPFLAGS
#   SO_KAMAILIO_ABI      compile and run a probe with KAMAILIO_CPPFLAGS; must match
#   SO_KAMAILIO_MODDIR   KAMAILIO_MODDIR (stock modules), --with-kamailio-moddir
#   SO_KAMAILIO_DBLIB    KAMAILIO_DB_LIBS: libsrdb1 (5.x) or nothing (6.0: in the core)

# SO_KAMAILIO_BINARY
# ------------------
# Find kamailio (also in /usr/sbin) and kamcmd; read the first two lines of
# `kamailio -V`: "version: kamailio 5.6.3 (x86_64/linux) " and "flags: ...".
AC_DEFUN([SO_KAMAILIO_BINARY], [
so_kam_path="$PATH$PATH_SEPARATOR/usr/sbin$PATH_SEPARATOR/usr/local/sbin"
AC_ARG_VAR([KAMAILIO], [path of the kamailio binary the module is built for])
AC_PATH_PROG([KAMAILIO], [kamailio], [], [$so_kam_path])
AS_IF([test -z "$KAMAILIO"],
  [AC_MSG_ERROR([kamailio not found; install the kamailio package (scripts/setup.sh does)])])
AC_ARG_VAR([KAMCMD], [path of kamcmd (optional, used by tests)])
AC_PATH_PROG([KAMCMD], [kamcmd], [], [$so_kam_path])

AC_MSG_CHECKING([version string of $KAMAILIO])
so_kam_v=`"$KAMAILIO" -V 2>&1`
KAMAILIO_FULL_VERSION=`AS_ECHO(["$so_kam_v"]) | sed -n 's/^version: *//p' | sed 's/ *$//'`
KAMAILIO_FLAGS=`AS_ECHO(["$so_kam_v"]) | sed -n 's/^flags: *//p' | sed 's/ *$//'`
dnl "kamailio 5.6.3 (x86_64/linux)" -> "5.6.3"
KAMAILIO_VERSION=`AS_ECHO(["$KAMAILIO_FULL_VERSION"]) | sed -n 's/^[[^ ]]* \([[0-9]][[^ ]]*\) .*/\1/p'`
AS_IF([test -z "$KAMAILIO_VERSION" || test -z "$KAMAILIO_FLAGS"],
  [AC_MSG_RESULT([unknown])
   AC_MSG_ERROR([cannot read "version:" and "flags:" from `$KAMAILIO -V`:
$so_kam_v])])
AC_MSG_RESULT([$KAMAILIO_FULL_VERSION])
AC_SUBST([KAMAILIO_VERSION])
])

# SO_KAMAILIO_SRC
# ---------------
# --with-kamailio-src=DIR (default /usr/local/src/kamailio-<binary version>).
# Runs `make FLAVOUR=kamailio cfg` in DIR/src when config.mak is missing (this
# writes config.mak and modules.lst into the tree), then `make -s printcdefs`,
# whose single output line is re-quoted token by token:
#   -DNAME="kamailio" -DCOMPILER="gcc 12.2.0"  ->  '-DNAME="kamailio"' '-DCOMPILER="gcc 12.2.0"'
# so that the value survives both make and the shell.  Debian's binary has two
# more defines than the tree reports (KSR_PTHREAD_MUTEX_SHARED, VERSION_NODATE).
AC_DEFUN([SO_KAMAILIO_SRC], [
AC_REQUIRE([SO_KAMAILIO_BINARY])
AC_REQUIRE([AC_PROG_AWK])
AC_ARG_WITH([kamailio-src],
  [AS_HELP_STRING([--with-kamailio-src=DIR],
    [unpacked Kamailio source matching the installed binary
     @<:@default=/usr/local/src/kamailio-VERSION@:>@])],
  [KAMAILIO_SRC=$withval],
  [KAMAILIO_SRC=/usr/local/src/kamailio-$KAMAILIO_VERSION])
AC_MSG_CHECKING([for Kamailio source])
AS_IF([test ! -f "$KAMAILIO_SRC/src/core/sr_module.h"],
  [AC_MSG_RESULT([no])
   AC_MSG_ERROR([$KAMAILIO_SRC/src/core/sr_module.h not found.
The module is built against the Kamailio source matching the installed binary
($KAMAILIO_FULL_VERSION). Run scripts/setup.sh (as root) to fetch it, or pass
--with-kamailio-src=DIR.])])
KAMAILIO_SRC=`cd "$KAMAILIO_SRC" && pwd`
AC_MSG_RESULT([$KAMAILIO_SRC])
AC_SUBST([KAMAILIO_SRC])

so_kam_mk="${MAKE-make}"
AS_IF([grep '^FLAVOUR= *kamailio *$' "$KAMAILIO_SRC/src/config.mak" >/dev/null 2>&1], [],
  [AC_MSG_NOTICE([running make FLAVOUR=kamailio cfg in $KAMAILIO_SRC/src])
   AS_IF([test -w "$KAMAILIO_SRC/src"], [],
     [AC_MSG_ERROR([$KAMAILIO_SRC/src is not writable and has no config.mak; run configure as root once, or scripts/setup.sh])])
   dnl Same prefix and cfg_target as Debian's rules, so CFG_DIR and friends match.
   AS_IF([(cd "$KAMAILIO_SRC/src" &&
           $so_kam_mk -s FLAVOUR=kamailio cfg prefix=/usr cfg_target=/etc/kamailio/) >&AS_MESSAGE_LOG_FD 2>&1],
     [], [AC_MSG_ERROR([make cfg failed in $KAMAILIO_SRC/src; see config.log])])])

AC_MSG_CHECKING([compile defines of the Kamailio tree])
so_kam_cdefs=`cd "$KAMAILIO_SRC/src" && $so_kam_mk -s printcdefs 2>/dev/null | grep -e '-DNAME=' | tail -n 1`
AS_IF([test -z "$so_kam_cdefs"],
  [AC_MSG_RESULT([failed])
   AC_MSG_ERROR([`make -s printcdefs` in $KAMAILIO_SRC/src printed no -D flags])])
AS_ECHO(["printcdefs: $so_kam_cdefs"]) >&AS_MESSAGE_LOG_FD

dnl Join space-separated words until their double quotes balance, then wrap each
dnl token in single quotes.  Tokens with ' $ or \ would need more care: refuse them.
KAMAILIO_CPPFLAGS=$(AS_ECHO(["$so_kam_cdefs"]) | $AWK -v q="'" '
{
  n = split($[]0, w, " ")
  cur = ""; out = ""
  for (i = 1; i <= n; i++) {
    cur = (cur == "") ? w[[i]] : cur " " w[[i]]
    tmp = cur
    if (gsub(/"/, "", tmp) % 2) continue
    if ([index](cur, q) || cur ~ /[[$\\]]/) { print "BAD " cur; exit 1 }
    out = out (out == "" ? "" : " ") q cur q
    cur = ""
  }
  if (cur != "") { print "BAD " cur; exit 1 }
  print out
}')
AS_CASE([$KAMAILIO_CPPFLAGS],
  [BAD*|""], [AC_MSG_RESULT([failed])
              AC_MSG_ERROR([cannot re-quote printcdefs output: $KAMAILIO_CPPFLAGS])])

dnl The tree's version must be the binary's.
so_kam_tree_ver=`AS_ECHO(["$so_kam_cdefs"]) | sed -n 's/.*-DVERSION="\([[^"]]*\)".*/\1/p'`
AS_IF([test "x$so_kam_tree_ver" != "x$KAMAILIO_VERSION"],
  [AC_MSG_RESULT([version mismatch])
   AC_MSG_ERROR([Kamailio source in $KAMAILIO_SRC is version "$so_kam_tree_ver" but $KAMAILIO is "$KAMAILIO_VERSION".
Run scripts/setup.sh to fetch the matching source, or pass --with-kamailio-src=DIR.])])

for so_kam_def in KSR_PTHREAD_MUTEX_SHARED VERSION_NODATE; do
  AS_CASE([" $KAMAILIO_CPPFLAGS "],
    [*"'-D$so_kam_def'"*], [],
    [KAMAILIO_CPPFLAGS="$KAMAILIO_CPPFLAGS '-D$so_kam_def'"])
done
KAMAILIO_CPPFLAGS="$KAMAILIO_CPPFLAGS '-DMOD_NAME=\"$PACKAGE_NAME\"' '-I$KAMAILIO_SRC/src'"
AC_MSG_RESULT([$so_kam_tree_ver, ok])
AC_SUBST([KAMAILIO_CPPFLAGS])
])

# SO_KAMAILIO_ABI
# ---------------
# Compile a probe with KAMAILIO_CPPFLAGS exactly as make will pass them (through
# the shell, hence eval) and compare its SER_FULL_VERSION and SER_COMPILE_FLAGS,
# the strings MODULE_VERSION puts in the module, with `kamailio -V`.
AC_DEFUN([SO_KAMAILIO_ABI], [
AC_REQUIRE([SO_KAMAILIO_SRC])
AC_REQUIRE([AC_PROG_CC])
AC_MSG_CHECKING([that modules built with KAMAILIO_CPPFLAGS match $KAMAILIO])
dnl Written by hand, not with AC_LANG_PROGRAM: confdefs.h defines our own
dnl VERSION, exactly what module/*.c must not see either.
cat >conftest.c <<'_SO_EOF'
#include <stdio.h>
#include "core/ver_defs.h"
int main(void)
{
	printf("version: %s\nflags: %s\n", SER_FULL_VERSION, SER_COMPILE_FLAGS);
	return 0;
}
_SO_EOF
so_kam_probe="$CC $CFLAGS $KAMAILIO_CPPFLAGS $CPPFLAGS -o conftest$ac_exeext conftest.c $LDFLAGS"
AS_ECHO(["$so_kam_probe"]) >&AS_MESSAGE_LOG_FD
AS_IF([eval "$so_kam_probe" >&AS_MESSAGE_LOG_FD 2>&1 && test -x conftest$ac_exeext], [],
  [AC_MSG_RESULT([no])
   AC_MSG_ERROR([cannot compile against $KAMAILIO_SRC/src/core/ver_defs.h; see config.log])])
so_kam_out=`./conftest$ac_exeext`
rm -f conftest$ac_exeext conftest.c
so_mod_version=`AS_ECHO(["$so_kam_out"]) | sed -n 's/^version: //p'`
so_mod_flags=`AS_ECHO(["$so_kam_out"]) | sed -n 's/^flags: //p'`
dnl `kamailio -V` prints SER_FULL_VERSION, a space and REPO_VER (src/core/ver.c);
dnl REPO_VER is the git hash of a build from a checkout (upstream's packages), empty
dnl for a tarball or Debian build. Only SER_FULL_VERSION is in the module.
so_kam_core_version=`AS_ECHO(["$KAMAILIO_FULL_VERSION"]) | sed 's/^\(.*)\) [[^ ]]*$/\1/'`
AS_IF([test "x$so_mod_version" != "x$so_kam_core_version"],
  [AC_MSG_RESULT([no])
   AC_MSG_ERROR([module version string would differ from the binary's; Kamailio would refuse the module.
  $KAMAILIO: "$KAMAILIO_FULL_VERSION"
  module:   "$so_mod_version"])])
AS_IF([test "x$so_mod_flags" != "x$KAMAILIO_FLAGS"],
  [AC_MSG_RESULT([no])
   AC_MSG_ERROR([module compile flags would differ from the binary's; Kamailio would refuse the module.
  $KAMAILIO: "$KAMAILIO_FLAGS"
  module:   "$so_mod_flags"])])
AC_MSG_RESULT([yes])
])

# SO_KAMAILIO_MODDIR
# ------------------
# KAMAILIO_MODDIR: where the stock modules (tm.so) are, for tests' mpath.
# kamailiomoddir: where `make install` puts sipoutcome.so; --with-kamailio-moddir,
# default KAMAILIO_MODDIR.
AC_DEFUN([SO_KAMAILIO_MODDIR], [
AC_MSG_CHECKING([for Kamailio's module directory])
KAMAILIO_MODDIR=
dnl The binary's compiled-in module path ("Default paths to modules:" of -I).
so_kam_mp=`"$KAMAILIO" -I 2>/dev/null | sed -n 's/^ *Default paths* to modules: *//p' | tr ':' ' '`
for so_kam_d in $so_kam_mp; do
  AS_IF([test -z "$KAMAILIO_MODDIR" && test -f "$so_kam_d/tm.so"], [KAMAILIO_MODDIR=$so_kam_d])
done
AS_IF([test -n "$KAMAILIO_MODDIR"], [], [
so_kam_multiarch=`dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null`
AS_IF([test -n "$so_kam_multiarch" &&
       test -f "/usr/lib/$so_kam_multiarch/kamailio/modules/tm.so"],
  [KAMAILIO_MODDIR=/usr/lib/$so_kam_multiarch/kamailio/modules],
  [so_kam_tm=`find /usr/lib* /usr/local/lib* -path '*kamailio/modules/tm.so' 2>/dev/null | head -n 1`
   AS_IF([test -n "$so_kam_tm"], [KAMAILIO_MODDIR=`dirname "$so_kam_tm"`])])])
AS_IF([test -z "$KAMAILIO_MODDIR"],
  [AC_MSG_RESULT([not found])
   AC_MSG_ERROR([no kamailio/modules/tm.so under /usr/lib*; is the kamailio package installed?])])
AC_MSG_RESULT([$KAMAILIO_MODDIR])
AC_SUBST([KAMAILIO_MODDIR])

AC_ARG_WITH([kamailio-moddir],
  [AS_HELP_STRING([--with-kamailio-moddir=DIR],
    [where make install puts sipoutcome.so @<:@default=the directory holding tm.so@:>@])],
  [kamailiomoddir=$withval],
  [kamailiomoddir=$KAMAILIO_MODDIR])
AC_SUBST([kamailiomoddir])
])

# SO_KAMAILIO_DBLIB
# -----------------
# KAMAILIO_DB_LIBS: how the module reaches Kamailio's DB API (db_bind_mod(),
# src/lib/srdb1) for db_url.  Through 5.8 it is a library of its own,
# libsrdb1.so beside the modules directory, which every DB-using module links
# with a run path; 6.0 builds it into the kamailio binary (no libsrdb1), whose
# symbols a module sees at dlopen().  Decided from what the binary exports,
# not from its version number.
AC_DEFUN([SO_KAMAILIO_DBLIB], [
AC_REQUIRE([SO_KAMAILIO_MODDIR])
AC_MSG_CHECKING([where Kamailio's DB API (db_bind_mod) is])
KAMAILIO_DB_LIBS=
so_kam_libdir=`dirname "$KAMAILIO_MODDIR"`
AS_IF([nm -D "$KAMAILIO" 2>/dev/null | grep ' T db_bind_mod$' >/dev/null],
  [AC_MSG_RESULT([in $KAMAILIO])],
  [test -f "$so_kam_libdir/libsrdb1.so"],
  [KAMAILIO_DB_LIBS="-L$so_kam_libdir -lsrdb1 -Wl,-rpath,$so_kam_libdir"
   AC_MSG_RESULT([$so_kam_libdir/libsrdb1.so])],
  [AC_MSG_RESULT([not found])
   AC_MSG_ERROR([$KAMAILIO exports no db_bind_mod and there is no $so_kam_libdir/libsrdb1.so])])
AC_SUBST([KAMAILIO_DB_LIBS])
])
