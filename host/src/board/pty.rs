//! Pseudo-terminals: a serial port that software drives from the other end. The fault proxy
//! offers one to the host, and the tests' fake boards answer on one, so host code opens them
//! with `serialport` exactly as it opens a real board's `/dev/ttyUSB0`.

use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd};

/// Both ends of a new pseudo-terminal and the name a client opens.
#[derive(Debug)]
pub struct Pty {
    /// The driving end: what is written here, the client reads from its port.
    pub master: File,
    /// The client's end. Keep it open while the terminal is in use: once every client
    /// descriptor is closed, reads on the master fail (EIO) until a client opens it again.
    pub slave: File,
    /// The path a client opens, e.g. `/dev/pts/7`.
    pub name: String,
}

impl Pty {
    /// Opens a pseudo-terminal in raw mode (no echo, no line editing, no CR/NL mapping, so
    /// frames pass byte for byte before the client sets its own mode). With `nonblocking`,
    /// reads and writes on the master return `WouldBlock` instead of waiting.
    pub fn open(nonblocking: bool) -> io::Result<Pty> {
        let (mut master, mut slave) = (0, 0);
        let mut name = [0 as libc::c_char; 128];
        // SAFETY: openpty writes two descriptors and a NUL-terminated name into our buffers,
        // which are larger than any terminal name.
        let rc = unsafe {
            libc::openpty(
                &mut master,
                &mut slave,
                name.as_mut_ptr(),
                std::ptr::null(),
                std::ptr::null(),
            )
        };
        if rc != 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: openpty succeeded, so both descriptors are new and ours alone, and `name`
        // is NUL-terminated.
        let (master, slave) = unsafe { (File::from_raw_fd(master), File::from_raw_fd(slave)) };
        let name = unsafe { std::ffi::CStr::from_ptr(name.as_ptr()) }
            .to_string_lossy()
            .into_owned();
        // SAFETY: termios is plain data; tcgetattr fills it before cfmakeraw and tcsetattr
        // read it, and fcntl only changes flags on a descriptor we own.
        unsafe {
            let mut t: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(slave.as_raw_fd(), &mut t) != 0 {
                return Err(io::Error::last_os_error());
            }
            libc::cfmakeraw(&mut t);
            if libc::tcsetattr(slave.as_raw_fd(), libc::TCSANOW, &t) != 0 {
                return Err(io::Error::last_os_error());
            }
            if nonblocking {
                let fl = libc::fcntl(master.as_raw_fd(), libc::F_GETFL);
                if fl < 0
                    || libc::fcntl(master.as_raw_fd(), libc::F_SETFL, fl | libc::O_NONBLOCK) < 0
                {
                    return Err(io::Error::last_os_error());
                }
            }
        }
        Ok(Pty {
            master,
            slave,
            name,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    #[test]
    fn bytes_pass_unchanged_both_ways() {
        let mut pty = Pty::open(false).unwrap();
        assert!(pty.name.starts_with("/dev/"), "{}", pty.name);
        // Every byte value, including CR, NL, ^C and ^D, which a cooked terminal would
        // translate or act on.
        let all: Vec<u8> = (0..=255).collect();
        let mut client = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&pty.name)
            .unwrap();
        pty.master.write_all(&all).unwrap();
        let mut got = vec![0; all.len()];
        client.read_exact(&mut got).unwrap();
        assert_eq!(got, all);
        client.write_all(&all).unwrap();
        let mut got = vec![0; all.len()];
        pty.master.read_exact(&mut got).unwrap();
        assert_eq!(got, all);
    }

    #[test]
    fn a_nonblocking_master_does_not_wait() {
        let mut pty = Pty::open(true).unwrap();
        let mut buf = [0u8; 16];
        let e = pty.master.read(&mut buf).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::WouldBlock);
        let blocking = Pty::open(false).unwrap();
        let fl = unsafe { libc::fcntl(blocking.master.as_raw_fd(), libc::F_GETFL) };
        assert_eq!(fl & libc::O_NONBLOCK, 0);
    }
}
