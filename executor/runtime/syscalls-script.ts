// The perl program behind syscalls.ts. It reads one request per line (`<id> <op> <hex field>…`, every field
// hex-encoded since a path may hold any byte but NUL) and answers `<id> <errno>` (0: success), one call at a time.
//   mount <cwd> <source> <target> <type> <flags> <data>   mount(2), relative paths resolved against cwd
//   umount <target> <flags>                               umount2(2)
//   xattrs <root> <dump file>                             every extended attribute below root (symlinks not
//                                                         followed), written as `getfattr -R -d -e hex` does
//   pathxattrs <dump file> <path>…                        the same for the given paths only (`getfattr -d`)
//   setxattr <path> <name> <value>                        lsetxattr(2): on the path itself, never through a symlink
//   mknod <path> <mode> <device>                          mknodat(2) at AT_FDCWD: a device node or FIFO (mode has
//                                                         its S_IF* type bits; device is the kernel's dev_t)
// It uses only perl-base (no module is loaded: each would cost start-up time).
export const syscallsScript = String.raw`
use strict;
my ($mount_nr, $umount_nr, $lgetxattr_nr, $llistxattr_nr, $lsetxattr_nr, $mknodat_nr, $requests, $answers) = @ARGV;
open(my $in, '<', $requests) or die "cannot open $requests: $!\n";
open(my $out, '>', $answers) or die "cannot open $answers: $!\n";
select($out); $| = 1;
print "0 0\n";
while (my $line = <$in>) {
  chomp $line;
  my ($id, $op, @fields) = split(/ /, $line, -1);
  my @a = map { pack('H*', $_) } @fields;
  my $errno = 22;
  if ($op eq 'mount' && @a == 6) {
    my ($cwd, $source, $target, $type, $flags, $data) = @a;
    $errno = !chdir($cwd) ? 0 + $! : syscall($mount_nr, $source, $target, $type, 0 + $flags, $data) == -1 ? 0 + $! : 0;
    # Back to / at once: a helper parked in a store directory keeps that filesystem busy (no umount of it)
    # for as long as the process that started it lives.
    chdir('/');
  } elsif ($op eq 'umount' && @a == 2) {
    my ($target, $flags) = @a;
    $errno = syscall($umount_nr, $target, 0 + $flags) == -1 ? 0 + $! : 0;
  } elsif ($op eq 'setxattr' && @a == 3) {
    my ($path, $name, $value) = @a;
    $errno = syscall($lsetxattr_nr, $path, $name, $value, length($value), 0) == -1 ? 0 + $! : 0;
  } elsif ($op eq 'mknod' && @a == 3) {
    my ($path, $mode, $device) = @a;
    # -100: AT_FDCWD. A path that exists already fails with EEXIST: mknod never replaces or follows anything.
    $errno = syscall($mknodat_nr, -100, $path, 0 + $mode, 0 + $device) == -1 ? 0 + $! : 0;
  } elsif (($op eq 'xattrs' && @a == 2) || ($op eq 'pathxattrs' && @a >= 1)) {
    my ($file, @paths) = $op eq 'xattrs' ? ($a[1], $a[0]) : @a;
    # O_WRONLY|O_CREAT|O_EXCL: never through something already there.
    if (sysopen(my $fh, $file, 1 | 64 | 128, 0600)) {
      $errno = 0;
      for my $path (@paths) {
        $errno = $op eq 'xattrs' ? dump_tree($path, $fh) : dump_one($path, $fh);
        last if $errno;
      }
      $errno = 0 + $! if !close($fh) && !$errno;
    } else {
      $errno = 0 + $!;
    }
  }
  print "$id $errno\n";
}

# getfattr's escapes: \ooo for bytes that are not printable, for the backslash, and in names for '='.
sub escaped_path {
  my ($text) = @_;
  $text =~ s/([^\x21-\x5b\x5d-\x7e])/sprintf('\\%03o', ord($1))/ge;
  return $text;
}

sub escaped_name {
  my ($text) = @_;
  $text =~ s/([^\x21-\x3c\x3e-\x5b\x5d-\x7e])/sprintf('\\%03o', ord($1))/ge;
  return $text;
}

# The attributes of one path (not following a symlink); the error number, 0 when they were written.
sub dump_one {
  my ($path, $fh) = @_;
  my $list = "\0" x 65536;
  my $size = syscall($llistxattr_nr, $path, $list, 65536);
  # ENOTSUP (95) and ENODATA (61): no attributes.
  return 0 + $! if $size == -1 && $! != 95 && $! != 61;
  my @lines;
  for my $name (grep { length } split(/\0/, substr($list, 0, $size > 0 ? $size : 0))) {
    my $value = "\0" x 65536;
    my $length = syscall($lgetxattr_nr, $path, $name, $value, 65536);
    next if $length == -1 && $! == 61; # removed meanwhile
    return 0 + $! if $length == -1;
    push @lines, escaped_name($name) . '=0x' . unpack('H*', substr($value, 0, $length)) . "\n";
  }
  print $fh '# file: ', escaped_path($path), "\n", @lines, "\n" if @lines;
  return 0;
}

sub dump_tree {
  my ($path, $fh) = @_;
  lstat($path) or return 0 + $!;
  my $is_dir = -d _;
  my $errno = dump_one($path, $fh);
  return $errno if $errno || !$is_dir;
  opendir(my $dir, $path) or return 0 + $!;
  my @names = grep { $_ ne '.' && $_ ne '..' } readdir($dir);
  closedir($dir);
  for my $name (@names) {
    $errno = dump_tree("$path/$name", $fh);
    return $errno if $errno;
  }
  return 0;
}
`;
