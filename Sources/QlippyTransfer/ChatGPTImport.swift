import Foundation
import QlippyModel
import QlippyStore

/// ChatGPT's conversations made into ours: every branch of the tree, user and assistant turns
/// only, with every message left out counted by why (its replies hang under its nearest kept
/// ancestor), and `current_node` as the current message.
package enum ChatGPTImport {
    /// The conversation as ours. `skipped` counts the messages left out, by reason.
    package static func conversation(_ source: ChatGPTConversation, userID: String, skipped: inout [String: Int]) throws
        -> ImportedConversation
    {
        let name = "chatgpt/\(userID)/\(source.sourceID)"
        let conversationTime = source.createTime.flatMap(timestamp)
        guard let seen = source.currentNode ?? newestLeaf(source.mapping) else {
            throw MessageTree.Broken(description: "the mapping has no messages")
        }
        let nodes = source.mapping.mapValues { node in
            MessageTree.Node(parent: node.parent, time: node.message?.createTime.flatMap(timestamp))
        }
        let tree = try MessageTree.messages(nodes, seen: seen, named: "current_node", conversationTime: conversationTime) { nodeID, time in
            guard let message = source.mapping[nodeID]?.message else { return nil }
            if let reason = reasonToSkip(message) {
                skipped[reason, default: 0] += 1
                return nil
            }
            let content = render(message)
            guard !content.allSatisfy(\.isWhitespace) else {
                skipped["empty", default: 0] += 1
                return nil
            }
            // An answer's model: its own, else the conversation's default.
            let model =
                message.role == "assistant" ? ImportedText.model(message.modelSlug) ?? ImportedText.model(source.defaultModelSlug) : nil
            return ImportedMessage(
                id: StableID.make("\(name)/\(nodeID)", in: name), role: message.role, content: content, timestamp: time,
                details: MessageDetails(model: model))
        }
        return ImportedConversation(
            id: StableID.make(name),
            title: ImportedText.title(source.title),
            folder: nil,
            createdAt: conversationTime ?? tree.messages.first?.timestamp,
            lastUpdated: source.updateTime.flatMap(timestamp) ?? tree.messages.last?.timestamp ?? conversationTime,
            messages: tree.messages,
            currentMessageID: tree.current
        )
    }

    private static func newestLeaf(_ mapping: [String: ChatGPTConversation.Node]) -> String? {
        let parents = Set(mapping.values.compactMap(\.parent))
        return mapping.filter { !parents.contains($0.key) }
            .max { ($0.value.message?.createTime ?? -.infinity, $0.key) < ($1.value.message?.createTime ?? -.infinity, $1.key) }?.key
    }

    /// Why a message is left out, or `nil` to keep it.
    private static func reasonToSkip(_ message: ChatGPTConversation.Message) -> String? {
        switch (message.role, message.contentType) {
        case ("system", _): "system"
        case ("tool", _): "tool"
        case (_, "user_editable_context"): "hidden"
        case _ where message.isHidden: "hidden"
        case (_, "thoughts"): "thoughts"
        case (_, "reasoning_recap"): "reasoning_recap"
        case ("user", _), ("assistant", _): nil
        default: "other_role"
        }
    }

    /// The message's text: its parts joined (an attachment as a placeholder such as `[image]`),
    /// code as a fenced block.
    private static func render(_ message: ChatGPTConversation.Message) -> String {
        if message.contentType == "code", let code = message.text {
            let language = message.language.flatMap { $0 == "unknown" ? nil : $0 } ?? ""
            return "```\(language)\n\(code)\n```"
        }
        let parts = message.parts.compactMap { part -> String? in
            switch part {
            case .text(let text): text.isEmpty ? nil : text
            case .image: "[image]"
            case .audio: "[audio]"
            case .file: "[file]"
            case .nothing: nil
            }
        }
        return parts.isEmpty ? message.text ?? "" : parts.joined(separator: "\n")
    }

    /// Unix seconds (fractional) as a timestamp, to the microsecond.
    package static func timestamp(_ seconds: Double) -> Timestamp? {
        guard seconds.isFinite, seconds > 0, seconds < 32_503_680_000 else { return nil }
        return Timestamp(microsecondsSinceEpoch: Int64((seconds * 1_000_000).rounded()))
    }
}
