import Glibc

/// Builds the `msghdr` for one datagram (one iovec, a name and a control buffer)
/// and passes it to `body` — the shape both `sendmsg` and `recvmsg` need.
public func withMessageHeader<R>(data: UnsafeMutableRawBufferPointer, name: UnsafeMutableRawPointer, nameLength: Int,
                          control: UnsafeMutableRawBufferPointer, _ body: (inout msghdr) -> R) -> R {
    var iov = iovec(iov_base: data.baseAddress, iov_len: data.count)
    return withUnsafeMutablePointer(to: &iov) { iovPointer in
        var msg = msghdr()
        msg.msg_name = name
        msg.msg_namelen = socklen_t(nameLength)
        msg.msg_iov = iovPointer
        msg.msg_iovlen = 1
        msg.msg_control = control.count > 0 ? control.baseAddress : nil
        msg.msg_controllen = control.count
        return body(&msg)
    }
}
