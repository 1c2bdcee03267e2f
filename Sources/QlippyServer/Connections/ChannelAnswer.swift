import HTTPTypes
import NIOCore
import NIOHTTPTypes
import QlippyJSON

extension APIError {
    /// Writes this error as a whole response straight onto a connection, then closes it: for the
    /// channel handlers that answer before a request reaches the router.
    func answer(on context: ChannelHandlerContext) {
        let body = context.channel.allocator.buffer(bytes: json.bytes)
        var fields = headers
        fields[.contentType] = JSONWriter.contentType
        fields[.contentLength] = String(body.readableBytes)
        fields[.connection] = "close"
        context.write(NIOAny(HTTPResponsePart.head(HTTPResponse(status: status, headerFields: fields))), promise: nil)
        context.write(NIOAny(HTTPResponsePart.body(body)), promise: nil)
        context.writeAndFlush(NIOAny(HTTPResponsePart.end(nil))).whenComplete { _ in
            context.close(promise: nil)
        }
    }
}
