#!/usr/bin/perl
# A Perl SCGI app (Debian: libscgi-perl) to put behind cgi2scgi.
#
#   perl app.pl [--socket ADDR] [--daemon] [--pidfile FILE] [--log FILE]
#
# ADDR is a unix socket path or 127.0.0.1:PORT; default $CGI2SCGI_SOCKET,
# which cgi2scgi sets for its `start` command.  --daemon detaches (fork,
# setsid, fork) once the socket listens, so the command exits 0 only when
# the app is ready; --pidfile names the serving process.  Each connection is
# served by a child process, so a slow client never blocks the others.
#
# The app answers every request with a short text: method, path, query, and
# the length and SHA-256 of the body it read (exactly CONTENT_LENGTH bytes).
#
# Note: SCGI::Request->read_env (libscgi-perl 0.6) skips variables whose
# value is empty, such as QUERY_STRING on a request without a query: read
# them with a default ("// ''").
use strict;
use warnings;
use Digest::SHA;
use Getopt::Long;
use IO::Socket::INET;
use IO::Socket::UNIX;
use POSIX ();
use Socket qw(SOCK_STREAM);
use SCGI;

my %opt = (socket => $ENV{CGI2SCGI_SOCKET});
GetOptions(\%opt, 'socket=s', 'daemon', 'pidfile=s', 'log=s')
    or die "usage: app.pl [--socket ADDR] [--daemon] [--pidfile FILE] [--log FILE]\n";
my $addr = $opt{socket} or die "app.pl: no --socket and no CGI2SCGI_SOCKET\n";
$addr =~ s/^(unix|tcp)://;

# ---- listen (before detaching: a socket in use is a failed start) ----------
my $listen;
if ($addr =~ /^(\d+\.\d+\.\d+\.\d+|localhost):(\d+)$/) {
	$listen = IO::Socket::INET->new(LocalAddr => $1, LocalPort => $2,
	    Listen => 128, ReuseAddr => 1, Proto => 'tcp')
	    or die "app.pl: cannot listen on $addr: $!\n";
} else {
	# a socket file left by a crash: remove it when nobody listens there
	if (-S $addr && !IO::Socket::UNIX->new(Type => SOCK_STREAM, Peer => $addr)) {
		unlink $addr;
	}
	$listen = IO::Socket::UNIX->new(Type => SOCK_STREAM, Local => $addr,
	    Listen => 128) or die "app.pl: cannot listen on $addr: $!\n";
}

# ---- detach, pid file ------------------------------------------------------------
if ($opt{daemon}) {
	pipe(my $r, my $w) or die "pipe: $!\n";
	my $pid = fork // die "fork: $!\n";
	if ($pid) {		# exit 0 once the daemon wrote its pid file
		close $w;
		my $ok = <$r>;
		POSIX::_exit(defined $ok && $ok eq "ok\n" ? 0 : 1);
	}
	close $r;
	POSIX::setsid() or die "setsid: $!\n";
	$pid = fork // die "fork: $!\n";
	POSIX::_exit(0) if $pid;
	open(STDIN, '<', '/dev/null') or die "/dev/null: $!\n";
	my $log = $opt{log} // '/dev/null';
	open(STDOUT, '>>', $log) or die "$log: $!\n";
	open(STDERR, '>&', \*STDOUT) or die "stderr: $!\n";
	if ($opt{pidfile}) {
		write_pidfile($opt{pidfile});
	}
	print $w "ok\n";
	close $w;
} elsif ($opt{pidfile}) {
	write_pidfile($opt{pidfile});
}

sub write_pidfile {
	my ($f) = @_;
	open(my $p, '>', "$f.$$") or die "$f: $!\n";
	print $p "$$\n";
	close $p or die "$f: $!\n";
	rename("$f.$$", $f) or die "$f: $!\n";
}

my $unix = $addr =~ m{/} ? $addr : undef;
my $parent = $$;
sub cleanup {
	return unless $$ == $parent;
	unlink $unix if defined $unix;
	if ($opt{pidfile} && open(my $p, '<', $opt{pidfile})) {
		my $pid = <$p> // '';
		unlink $opt{pidfile} if $pid eq "$$\n";
	}
}
$SIG{TERM} = $SIG{INT} = sub { cleanup(); exit 0 };
$SIG{PIPE} = 'IGNORE';		# a client gone is an error on write, not death
$SIG{CHLD} = 'IGNORE';		# children reaped by the kernel

# ---- serve ---------------------------------------------------------------------
my $scgi = SCGI->new($listen, blocking => 1);
while (1) {
	my $req = $scgi->accept or next;
	my $pid = fork;
	if (!defined $pid) {		# out of processes: serve it ourselves
		serve($req);
		next;
	}
	if ($pid == 0) {
		$SIG{TERM} = $SIG{INT} = 'DEFAULT';
		close $listen;
		serve($req);
		POSIX::_exit(0);
	}
	$req->connection->close;	# the child has it
}

sub serve {
	my ($req) = @_;
	eval {
		$req->read_env;
		my $env = $req->env;
		my $c = $req->connection;
		binmode $c;
		my $left = $env->{CONTENT_LENGTH} || 0;
		my ($got, $sha) = (0, Digest::SHA->new(256));
		while ($left > 0) {
			my $n = read($c, my $buf, $left > 65536 ? 65536 : $left);
			last unless $n;
			$sha->add($buf);
			$got += $n;
			$left -= $n;
		}
		my $text = sprintf("Hello from a Perl SCGI app behind cgi2scgi!\n\n"
		    . "method:  %s\npath:    %s%s\nquery:   %s\n"
		    . "body:    %d bytes, sha256 %s\napp pid: %d\n",
		    $env->{REQUEST_METHOD} // '', $env->{SCRIPT_NAME} // '',
		    $env->{PATH_INFO} // '', $env->{QUERY_STRING} // '',
		    $got, $sha->hexdigest, getppid() == $parent ? $parent : $$);
		print $c "Status: 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n"
		    . "Content-Length: " . length($text) . "\r\n\r\n" . $text;
		$c->flush;
	};
	warn "app.pl: $@" if $@;
	$req->close;
}
