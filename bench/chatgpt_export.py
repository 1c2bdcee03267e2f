#!/usr/bin/env python3
"""Writes a ChatGPT data export (conversations.json) of a given size, for the import benchmark.

    bench/chatgpt_export.py --conversations 5000 --messages 200 --output /tmp/conversations.json

Deterministic (seeded). Each conversation is a chain root -> system (hidden) -> user/assistant
turns, with ChatGPT's fields (mapping with parent and children links, current_node, metadata,
model slugs); message lengths are log-uniform from 50 to 2 000 characters, like the seeder's.
Written as it goes, so the generator's memory stays small whatever the size.
"""
import argparse
import json
import math
import random

WORDS = [f"w{n}" for n in range(5000)] + ["the", "and", "model", "answer", "question", "data", "swift", "import"]


def text(rng):
    length = int(math.exp(rng.uniform(math.log(50), math.log(2000))))
    out, size = [], 0
    while size < length:
        word = rng.choice(WORDS)
        out.append(word)
        size += len(word) + 1
    return " ".join(out)[:length]


def node(node_id, parent, children, message):
    return {"id": node_id, "message": message, "parent": parent, "children": children}


def message(node_id, role, content, time, hidden=False):
    return {
        "id": node_id, "author": {"role": role, "name": None, "metadata": {}}, "create_time": time, "update_time": None,
        "content": {"content_type": "text", "parts": [content]}, "status": "finished_successfully", "end_turn": True,
        "weight": 1.0, "metadata": {"is_visually_hidden_from_conversation": hidden, "model_slug": "gpt-4o"}, "recipient": "all",
    }


def conversation(index, messages, rng):
    start = 1_700_000_000 + index * 3600
    ids = [f"c{index}-n{n}" for n in range(messages + 2)]
    mapping = {ids[0]: node(ids[0], None, [ids[1]], None)}
    mapping[ids[1]] = node(ids[1], ids[0], [ids[2]], message(ids[1], "system", "", None, hidden=True))
    for n in range(2, messages + 2):
        role = "user" if n % 2 == 0 else "assistant"
        children = [ids[n + 1]] if n + 1 < len(ids) else []
        mapping[ids[n]] = node(ids[n], ids[n - 1], children, message(ids[n], role, text(rng), start + n * 7.25))
    return {
        "title": f"Conversation {index}", "create_time": start, "update_time": start + (messages + 2) * 7.25, "mapping": mapping,
        "moderation_results": [], "current_node": ids[-1], "plugin_ids": None, "conversation_id": f"conv-{index:06d}",
        "conversation_template_id": None, "gizmo_id": None, "is_archived": False, "safe_urls": [], "default_model_slug": "gpt-4o",
        "id": f"conv-{index:06d}",
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=5000)
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--output", required=True)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with open(args.output, "w", encoding="utf-8") as out:
        out.write("[")
        for index in range(args.conversations):
            if index:
                out.write(",")
            json.dump(conversation(index, args.messages, rng), out, ensure_ascii=False)
        out.write("]")


if __name__ == "__main__":
    main()
