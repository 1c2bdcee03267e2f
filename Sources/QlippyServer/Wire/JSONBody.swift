import Foundation
import Hummingbird
import NIOCore
import QlippyJSON

/// Any JSON value, decoded only far enough to tell types apart, so that a wrong type is
/// reported with the field's name instead of a decoder's generic failure.
enum JSONValue: Decodable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let flag = try? container.decode(Bool.self) {
            self = .bool(flag)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let string = try? container.decode(String.self) {
            self = .string(string)
        } else if let array = try? container.decode([JSONValue].self) {
            self = .array(array)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }
}

/// A field of a request body: absent, explicitly `null`, or a value of the expected type.
enum BodyField<Value> {
    case absent
    case null
    case value(Value)

    /// As a partial update takes it: `nil` when absent (unchanged), `.some(nil)` when `null` (cleared).
    var change: Value?? {
        switch self {
        case .absent: nil
        case .null: .some(nil)
        case .value(let value): .some(value)
        }
    }
}

/// A request body that must be a JSON object, with typed field readers.
///
/// An empty body (no bytes) reads as `{}`, so a client may `POST` without a body where every field
/// is optional; a non-empty body must be labelled `application/json`.
struct JSONBody {
    let fields: [String: JSONValue]

    static func read(_ request: Request, limit: Int) async throws -> JSONBody {
        let bytes: ByteBuffer
        do {
            bytes = try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError.bodyTooLarge(limit: limit)
        }
        guard bytes.readableBytes > 0 else { return JSONBody(fields: [:]) }
        guard let contentType = request.headers[.contentType], MediaType(from: contentType)?.isType(.applicationJson) == true else {
            throw APIError.unsupportedMediaType
        }
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: bytes.withUnsafeReadableBytes { Data($0) })
        } catch {
            throw APIError.malformedJSON
        }
        guard case .object(let fields) = value else { throw APIError.bodyNotObject }
        if let key = bytes.withUnsafeReadableBytes({ DuplicateKeys.first(in: $0) }) { throw APIError.duplicateKey(key) }
        return JSONBody(fields: fields)
    }

    func string(_ name: String) throws(APIError) -> BodyField<String> {
        switch fields[name] {
        case nil: .absent
        case .null: .null
        case .string(let text): .value(text)
        default: throw APIError.wrongType(name, expected: "a string")
        }
    }

    func object(_ name: String, expected: String) throws(APIError) -> BodyField<[String: JSONValue]> {
        switch fields[name] {
        case nil: .absent
        case .null: .null
        case .object(let fields): .value(fields)
        default: throw APIError.wrongType(name, expected: expected)
        }
    }

    func array(_ name: String, expected: String) throws(APIError) -> BodyField<[JSONValue]> {
        switch fields[name] {
        case nil: .absent
        case .null: .null
        case .array(let elements): .value(elements)
        default: throw APIError.wrongType(name, expected: expected)
        }
    }

    func bool(_ name: String) throws(APIError) -> BodyField<Bool> {
        switch fields[name] {
        case nil: .absent
        case .null: .null
        case .bool(let flag): .value(flag)
        default: throw APIError.wrongType(name, expected: "a boolean")
        }
    }
}
