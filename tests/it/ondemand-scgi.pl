#!/usr/bin/perl
# A Perl SCGI app (libscgi-perl) for the on-demand start tests.
#
#   perl ondemand-scgi.pl          listens on $CGI2SCGI_SOCKET (unix path or
#                                  HOST:PORT), as the launcher hands it over
#
# At startup, before binding, it records what the launcher gave it (R36, R37):
#   $STATE/app-env.PID     its environment (/proc/self/environ, one per line)
#   $STATE/app-status.PID  the Sig* lines of /proc/self/status
# and appends to $STATE/app.events:
#   "bound PID EPOCH.FRACTION"     once listen() returned
#   "first PID EPOCH.FRACTION"     when the first connection was accepted
# Every request gets "perl PID" (200).  Perl leaves signal dispositions as
# it found them, unlike Python (which ignores SIGPIPE itself).
use strict;
use warnings;
use IO::Socket::INET;
use IO::Socket::UNIX;
use Socket qw(SOCK_STREAM);
use Time::HiRes qw(time);
use SCGI;

my $state = $ENV{STATE} or die "no STATE\n";
my $sock = $ENV{CGI2SCGI_SOCKET} or die "no CGI2SCGI_SOCKET\n";

sub copy_file {
	my ($from, $to, $filter) = @_;
	open(my $in, '<', $from) or die "$from: $!\n";
	local $/;
	my $data = <$in>;
	close $in;
	$data = join("\n", split(/\0/, $data)) . "\n" if $from =~ /environ$/;
	$data = join('', grep { /^Sig/ } split(/^/, $data)) if $filter;
	open(my $out, '>', $to) or die "$to: $!\n";
	print $out $data;
	close $out;
}

sub event {
	open(my $f, '>>', "$state/app.events") or die "app.events: $!\n";
	printf $f "%s %d %.6f\n", $_[0], $$, time;
	close $f;
}

copy_file('/proc/self/environ', "$state/app-env.$$", 0);
copy_file('/proc/self/status', "$state/app-status.$$", 1);

my $listen;
if ($sock =~ m{^(\d+\.\d+\.\d+\.\d+):(\d+)$}) {
	$listen = IO::Socket::INET->new(LocalAddr => $1, LocalPort => $2,
	    Listen => 1024, ReuseAddr => 1, Proto => 'tcp')
	    or die "cannot listen on $sock: $!\n";
} else {
	# no unlink first: a file in the way makes the bind fail (R33 test)
	$listen = IO::Socket::UNIX->new(Type => SOCK_STREAM, Local => $sock,
	    Listen => 1024) or die "cannot listen on $sock: $!\n";
	chmod 0666, $sock;
}
event('bound');

my $scgi = SCGI->new($listen, blocking => 1);
my $first = 1;
while (my $req = $scgi->accept) {
	if ($first) {
		event('first');
		$first = 0;
	}
	eval {
		$req->read_env;
		my $n = $req->env->{CONTENT_LENGTH} || 0;
		my $body = '';
		while ($n > 0) {
			my $got = read($req->connection, my $buf, $n > 65536 ? 65536 : $n);
			last unless $got;
			$n -= $got;
		}
		my $c = $req->connection;
		print $c "Status: 200 OK\r\nContent-Type: text/plain\r\n\r\nperl $$\n";
	};
	$req->close;
}
