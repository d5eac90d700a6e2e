import type { Socket } from 'node:net';

/**
 * The part of a connected net.Socket's libuv handle read here. Node has no public accessor
 * for a socket's fd; the open model's send worker needs it to write requests off the main
 * thread, and on Linux the TCP handle exposes it as `fd`.
 */
interface SocketWithHandle {
  _handle?: { fd?: number } | null;
}

/** The connected socket's file descriptor; -1 where the platform does not expose it. */
export function socketFd(socket: Socket): number {
  const fd = (socket as unknown as SocketWithHandle)._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : -1;
}

/**
 * Calls `beforeClose` before the socket's fd is closed, whatever closes it: destroy(), an
 * error, or the end of a connection the server closed. Every one goes through the stream's
 * _destroy, which closes the handle: only there is the fd still open and not yet reused.
 */
export function onBeforeClose(socket: Socket, beforeClose: () => void): void {
  const destroy = socket._destroy.bind(socket);
  socket._destroy = (error, callback) => {
    beforeClose();
    destroy(error, callback);
  };
}
