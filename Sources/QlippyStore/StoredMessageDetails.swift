import Foundation
import QlippyModel

/// How both stores keep a message's details: a row of their own (`message_details`) only for a
/// message that has any, with the metadata as one JSON object of strings.
extension MessageDetails {
    /// The metadata as stored: a JSON object with its keys sorted; `nil` when there are no pairs.
    package var metadataJSON: String? {
        guard !metadata.isEmpty, let data = try? Self.encoder.encode(metadata) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// The pairs of a stored JSON object; none for `nil` or for anything that is not an object of
    /// strings (a row written by hand is served without its metadata, not refused).
    package static func metadata(fromJSON text: String?) -> [String: String] {
        guard let text, let pairs = try? JSONDecoder().decode([String: String].self, from: Data(text.utf8)) else { return [:] }
        return pairs
    }

    /// Details as a store row holds them: token counts only when both are present.
    package init(model: String?, inputTokens: Int?, outputTokens: Int?, finishReason: String?, metadataJSON: String?) {
        let usage = inputTokens.flatMap { input in outputTokens.map { TokenUsage(inputTokens: input, outputTokens: $0) } }
        self.init(model: model, usage: usage, finishReason: finishReason, metadata: Self.metadata(fromJSON: metadataJSON))
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}

extension [Message] {
    /// The messages, each with its details from `details` (by message id) when it has a row there.
    package func attaching(_ details: [String: MessageDetails]) -> [Message] {
        guard !details.isEmpty else { return self }
        return map { message in
            var message = message
            if let found = details[message.id] { message.details = found }
            return message
        }
    }
}
