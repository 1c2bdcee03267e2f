import Hummingbird
import NIOCore
import QlippyJSON

extension JSONWriter {
    /// The finished document as a response with `Content-Type: application/json`.
    func response(status: HTTPResponse.Status, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = Self.contentType
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

extension Response {
    /// A JSON response whose body `write` produces.
    static func json(_ status: HTTPResponse.Status, capacity: Int = 256, _ write: (inout JSONWriter) -> Void) -> Response {
        var json = JSONWriter(capacity: capacity)
        write(&json)
        return json.response(status: status)
    }
}
