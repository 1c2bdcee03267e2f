import Foundation
import QlippyJSON

/// Reads a ChatGPT export's conversation with ``JSONReader``: the same values as its `Decodable`
/// conformance gives (``ChatGPTConversation``, ``Lossy``), several times faster.
///
/// `JSONDecoder`'s keyed containers cost about a third of a large import's time, most of it in
/// generic metadata and hashing rather than in the bytes. This reader keeps every leniency of the
/// `Decodable` types, field by field (a field of the wrong kind is dropped exactly where
/// `try? decodeIfPresent` drops it), and hands everything else to `JSONDecoder`: a conversation
/// that does not decode (for its error's wording), a key repeated in an object, an escape in a
/// key, an odd string or number (``JSONReader/Unusual``).
package enum ChatGPTReader {
    /// The element of an export that `bytes` holds, as `JSONDecoder` would decode it.
    package static func entry(from bytes: Data) throws -> Lossy<ChatGPTConversation> {
        try (try? read(bytes)) ?? JSONDecoder().decode(Lossy<ChatGPTConversation>.self, from: bytes)
    }

    /// The element read by the reader alone; throws ``JSONReader/Unusual`` where it leaves it to
    /// `JSONDecoder`.
    package static func read(_ bytes: Data) throws -> Lossy<ChatGPTConversation> {
        try bytes.withUnsafeBytes { raw in
            var reader = JSONReader(raw)
            let entry = try conversation(&reader)
            try reader.expectEnd()
            return entry
        }
    }

    private static func conversation(_ reader: inout JSONReader) throws -> Lossy<ChatGPTConversation> {
        var seen = SeenKeys()
        var conversationID: Lenient<String> = .null
        var id: Lenient<String> = .null
        var title: Lenient<String> = .null
        var createTime: Double?
        var updateTime: Double?
        var currentNode: String?
        var defaultModelSlug: String?
        var mapping: [String: ChatGPTConversation.Node]?
        try reader.object { reader, key in
            if key.equals("mapping") {
                try seen.first(0)
                mapping = try nodes(&reader)
            } else if key.equals("conversation_id") {
                try seen.first(1)
                conversationID = try reader.lenientString()
            } else if key.equals("id") {
                try seen.first(2)
                id = try reader.lenientString()
            } else if key.equals("title") {
                try seen.first(3)
                title = try reader.lenientString()
            } else if key.equals("create_time") {
                try seen.first(4)
                createTime = try reader.lenientNumber().value
            } else if key.equals("update_time") {
                try seen.first(5)
                updateTime = try reader.lenientNumber().value
            } else if key.equals("current_node") {
                try seen.first(6)
                currentNode = try reader.lenientString().value
            } else if key.equals("default_model_slug") {
                try seen.first(7)
                defaultModelSlug = try reader.lenientString().value
            } else {
                try reader.skip()
            }
        }
        // A conversation without an id or a mapping fails: `JSONDecoder` says why.
        guard let sourceID = conversationID.value ?? id.value, let mapping else { throw JSONReader.Unusual() }
        // `Lossy` reads the id and title as one record, lost whole when one of them is of another kind.
        let identityFails = conversationID.fails || id.fails || title.fails
        return Lossy(
            result: .success(
                ChatGPTConversation(
                    sourceID: sourceID, title: title.value, createTime: createTime, updateTime: updateTime, currentNode: currentNode,
                    defaultModelSlug: defaultModelSlug, mapping: mapping)),
            sourceID: identityFails ? "" : sourceID,
            title: identityFails ? "" : title.value ?? "")
    }

    private static func nodes(_ reader: inout JSONReader) throws -> [String: ChatGPTConversation.Node] {
        var nodes: [String: ChatGPTConversation.Node] = [:]
        try reader.object { reader, key in
            let id = String(decoding: key, as: UTF8.self)
            guard nodes.updateValue(try node(&reader), forKey: id) == nil else { throw JSONReader.Unusual() }
        }
        return nodes
    }

    private static func node(_ reader: inout JSONReader) throws -> ChatGPTConversation.Node {
        var seen = SeenKeys()
        var node = ChatGPTConversation.Node(parent: nil, message: nil)
        try reader.object { reader, key in
            if key.equals("parent") {
                try seen.first(0)
                node.parent = try reader.lenientString().value
            } else if key.equals("message") {
                try seen.first(1)
                node.message = try reader.lenient(.object, message).value
            } else {
                try reader.skip()
            }
        }
        return node
    }

    private static func message(_ reader: inout JSONReader) throws -> ChatGPTConversation.Message {
        var seen = SeenKeys()
        var role: String?
        var createTime: Double?
        var isHidden = false
        var modelSlug: String?
        var content: Content?
        try reader.object { reader, key in
            if key.equals("author") {
                try seen.first(0)
                let author: Lenient<String?> = try reader.lenient(.object) { reader in
                    try field("role", .string, of: &reader) { try $0.string() }
                }
                role = author.value.flatMap { $0 }
            } else if key.equals("create_time") {
                try seen.first(1)
                createTime = try reader.lenientNumber().value
            } else if key.equals("metadata") {
                try seen.first(2)
                let metadata: Lenient<(hidden: Bool?, modelSlug: String?)> = try reader.lenient(.object, Self.metadata)
                isHidden = metadata.value?.hidden ?? false
                modelSlug = metadata.value?.modelSlug
            } else if key.equals("content") {
                try seen.first(3)
                content = try reader.lenient(.object, Content.read).value.flatMap { $0 }
            } else {
                try reader.skip()
            }
        }
        return ChatGPTConversation.Message(
            role: role ?? "unknown", createTime: createTime, contentType: content?.contentType ?? "text", parts: content?.parts ?? [],
            text: content?.text, language: content?.language, isHidden: isHidden, modelSlug: modelSlug)
    }

    /// A message's `metadata`: each of its two fields is a record of its own in `Decodable`'s
    /// reading, `nil` when null, missing or of another kind.
    private static func metadata(_ reader: inout JSONReader) throws -> (hidden: Bool?, modelSlug: String?) {
        var seen = SeenKeys()
        var hidden: Bool?
        var modelSlug: String?
        try reader.object { reader, key in
            if key.equals("is_visually_hidden_from_conversation") {
                try seen.first(0)
                hidden = try reader.lenient(.bool) { try $0.bool() }.value
            } else if key.equals("model_slug") {
                try seen.first(1)
                modelSlug = try reader.lenientString().value
            } else {
                try reader.skip()
            }
        }
        return (hidden, modelSlug)
    }

    /// The one field that matters of an object whose `Decodable` record has only that field:
    /// `nil` when it is null, missing or of another kind (which loses the record, and so the field).
    private static func field<Value>(
        _ name: StaticString, _ kind: JSONReader.Kind, of reader: inout JSONReader, _ read: (inout JSONReader) throws -> Value
    ) throws -> Value? {
        var seen = SeenKeys()
        var found: Lenient<Value> = .null
        try reader.object { reader, key in
            guard key.equals(name) else { return try reader.skip() }
            try seen.first(0)
            found = try reader.lenient(kind, read)
        }
        return found.value
    }

    /// A message's `content`, as `Decodable` reads it: lost whole when one of its fields is of
    /// another kind.
    private struct Content {
        var contentType: String?
        var parts: [ChatGPTConversation.Part]?
        var text: String?
        var language: String?

        /// `nil` when a field is of another kind.
        static func read(_ reader: inout JSONReader) throws -> Content? {
            var seen = SeenKeys()
            var content = Content()
            var fails = false
            try reader.object { reader, key in
                if key.equals("content_type") {
                    try seen.first(0)
                    let found = try reader.lenientString()
                    (content.contentType, fails) = (found.value, fails || found.fails)
                } else if key.equals("parts") {
                    try seen.first(1)
                    let found = try reader.lenient(.array, parts)
                    (content.parts, fails) = (found.value, fails || found.fails)
                } else if key.equals("text") {
                    try seen.first(2)
                    let found = try reader.lenientString()
                    (content.text, fails) = (found.value, fails || found.fails)
                } else if key.equals("language") {
                    try seen.first(3)
                    let found = try reader.lenientString()
                    (content.language, fails) = (found.value, fails || found.fails)
                } else {
                    try reader.skip()
                }
            }
            return fails ? nil : content
        }

        private static func parts(_ reader: inout JSONReader) throws -> [ChatGPTConversation.Part] {
            var parts: [ChatGPTConversation.Part] = []
            try reader.array { reader in parts.append(try part(&reader)) }
            return parts
        }

        /// A string is text; an object with a string `content_type` points at an attachment.
        private static func part(_ reader: inout JSONReader) throws -> ChatGPTConversation.Part {
            switch try reader.kind() {
            case .string:
                return .text(try reader.string())
            case .object:
                guard let type = try field("content_type", .string, of: &reader, { try $0.string() }) else { return .nothing }
                return type.contains("image") ? .image : type.contains("audio") ? .audio : .file
            default:
                try reader.skip()
                return .nothing
            }
        }
    }

    /// Which of an object's known keys were read: `JSONDecoder` decides what a repeated key means.
    private struct SeenKeys {
        private var bits: UInt8 = 0

        mutating func first(_ bit: Int) throws {
            guard bits & (1 << bit) == 0 else { throw JSONReader.Unusual() }
            bits |= 1 << bit
        }
    }
}
