#!/usr/bin/env python3
"""Run a folder written by rmt's export (cmd/export) in PyTorch.

The reference a PyTorch user copies: torch and the standard library only (no
transformers, no safetensors package). It parses model.safetensors by hand,
builds the GPT-2 or Llama decoder of config.json, wraps it in the memory that
rmt.json describes, reads a long input segment by segment and generates
greedily. It computes what rmt computes in Go, to 1e-4 in the logits
(examples/pytorch/reader_test.go).

    python3 examples/pytorch/rmt_reader.py FOLDER --ids 1,2,3 --max-new 8
    python3 examples/pytorch/rmt_reader.py FOLDER --text "Once upon a time" --logits-json out.json

The two memories (docs/method.md, docs/armt.md), batch 1:

  rmt   segment rows [mem | tokens | mem]; the final-norm hidden states at the
        trailing M rows are the next segment's mem (mem_0 = rmt.memory).
  armt  segment rows [tokens | armt.memory]; every layer l keeps A_l (K, C) and
        z_l (K), K = 6*d_mem, zero at the start. Before layer l every row h
        reads h += phi(q) A / (phi(q).z + eps), q = h W_mq^T; after it the M
        memory rows m write by the delta rule:
          k = phi(m W_mk^T), v = m W_mv^T, beta = sigmoid(m W_mb^T + b_mb),
          vbar = k A / (k.z + eps), gamma = clip(1 - (k.z + eps)/(|k|^2 + eps), 0, 1),
          A += k^T (beta (v - vbar)),  z += gamma^T k     (first write: vbar 0, gamma 1).
        armt_features "dpfp-normalized" L2-normalises phi(q) and phi(k), and
        gamma then has no eps under |k|^2.

Full segments are written into memory; the final segment of a prompt (1..S
tokens) reads memory and writes nothing, and generation goes on in it until
it is full, when it is written and a new one starts.

Shapes: L rows in a segment, C model width, V vocabulary, H heads, D head dim.
"""
import argparse
import json
import math
import os
import re
import struct
import sys

import torch
import torch.nn.functional as F

EPS = 1e-5  # ARMT's epsilon
DTYPES = {"F32": (torch.float32, 4), "F16": (torch.float16, 2), "BF16": (torch.bfloat16, 2)}


class ReaderError(Exception):
    """Bad input: the message names the file and what is wrong."""


def read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        raise ReaderError(f"{path} is missing")
    except ValueError as e:
        raise ReaderError(f"{path}: not valid JSON: {e}")


def read_safetensors(path):
    """Every tensor of a safetensors file, in torch's default dtype: an 8-byte
    little-endian header length, a JSON header, then the raw data."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        raise ReaderError(f"{path} is missing")
    if len(raw) < 8:
        raise ReaderError(f"{path}: {len(raw)} bytes, truncated: a safetensors file starts with an 8-byte header length")
    n = struct.unpack("<Q", raw[:8])[0]
    if 8 + n > len(raw):
        raise ReaderError(f"{path}: header of {n} bytes but the file has {len(raw)}: truncated")
    try:
        header = json.loads(raw[8:8 + n])
    except ValueError as e:
        raise ReaderError(f"{path}: header is not JSON: {e}")
    data = raw[8 + n:]
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        if t.get("dtype") not in DTYPES:
            raise ReaderError(f"{path}: tensor {name} has dtype {t.get('dtype')}; want F32, F16 or BF16")
        dtype, width = DTYPES[t["dtype"]]
        shape, (begin, end) = t["shape"], t["data_offsets"]
        if end - begin != math.prod(shape) * width:
            raise ReaderError(f"{path}: tensor {name} of shape {shape} has {end - begin} bytes; want {math.prod(shape) * width}")
        if end > len(data):
            raise ReaderError(f"{path}: tensor {name} ends at byte {end} of the data but the file holds {len(data)}: truncated")
        x = torch.frombuffer(bytearray(data[begin:end]), dtype=dtype) if end > begin else torch.zeros(0, dtype=dtype)
        out[name] = x.reshape(shape).to(torch.get_default_dtype())
    return out


def hf_names(tensors):
    """The rmt-pytorch layout (memory_cell.memory, memory_cell.model.<hf name>) as HF names."""
    out = {}
    for name, x in tensors.items():
        if name == "memory_cell.memory":
            name = "rmt.memory"
        elif name.startswith("memory_cell.model."):
            name = name[len("memory_cell.model."):]
        out[name] = x
    return out


class Decoder:
    """The decoder of config.json over input vectors: GPT-2 (learned positions,
    LayerNorm, GELU, Conv1D weights [in, out]) or Llama (RoPE, RMSNorm, SiLU
    gate, Linear weights [out, in]; Mistral and Qwen2 too)."""

    def __init__(self, cfg, w, path):
        self.cfg, self.w, self.path = cfg, w, path
        self.gpt2 = cfg["model_type"] == "gpt2"
        if self.gpt2:
            self.layers, self.C, self.H = cfg["n_layer"], cfg["n_embd"], cfg["n_head"]
            self.Hkv, self.D, self.eps = self.H, self.C // self.H, cfg.get("layer_norm_epsilon", 1e-5)
            self.embedding = "transformer.wte.weight"
            scale = cfg.get("scale_attn_weights", True)
        else:
            self.layers, self.C, self.H = cfg["num_hidden_layers"], cfg["hidden_size"], cfg["num_attention_heads"]
            self.Hkv = cfg.get("num_key_value_heads") or self.H
            self.D, self.eps = cfg.get("head_dim") or self.C // self.H, cfg["rms_norm_eps"]
            self.embedding = "model.embed_tokens.weight"
            scale = True
        self.scale = 1 / math.sqrt(self.D) if scale else 1.0
        tied = cfg.get("tie_word_embeddings", self.gpt2)
        self.head = self.embedding if tied else "lm_head.weight"

    def t(self, name):
        if name not in self.w:
            raise ReaderError(f"{self.path} has no tensor {name}")
        return self.w[name]

    def embed(self, ids):  # (L,) -> (L, C)
        return self.t(self.embedding)[torch.tensor(ids, dtype=torch.long)]

    def start(self, x):  # x: (L, C), positions 0..L-1; GPT-2 adds them here
        return x + self.t("transformer.wpe.weight")[: x.shape[0]] if self.gpt2 else x

    def attend(self, q, k, v):  # q: (L, H*D), k, v: (L, Hkv*D) -> (L, H*D)
        L, H, D = q.shape[0], self.H, self.D
        q = q.view(L, H, D).transpose(0, 1)
        k = k.view(L, self.Hkv, D).transpose(0, 1).repeat_interleave(H // self.Hkv, 0)
        v = v.view(L, self.Hkv, D).transpose(0, 1).repeat_interleave(H // self.Hkv, 0)
        if not self.gpt2:
            q, k = self.rope(q), self.rope(k)
        att = (q @ k.transpose(1, 2)) * self.scale  # (H, L, L)
        causal = torch.ones(L, L, dtype=torch.bool).tril()
        att = att.masked_fill(~causal, float("-inf")).softmax(-1)
        return (att @ v).transpose(0, 1).reshape(L, H * D)

    def rope(self, x):  # (H, L, D), HF's rotate-half layout
        L, D = x.shape[1], self.D
        inv = 1.0 / (self.cfg.get("rope_theta", 10000.0) ** (torch.arange(0, D, 2).to(x.dtype) / D))
        f = torch.arange(L).to(x.dtype)[:, None] * inv[None]
        cos, sin = torch.cat([f, f], -1).cos(), torch.cat([f, f], -1).sin()
        rot = torch.cat([-x[..., D // 2:], x[..., : D // 2]], -1)
        return x * cos + rot * sin

    def linear(self, x, name):  # torch Linear: y = x W^T (+ b)
        y = x @ self.t(name + ".weight").T
        return y + self.w[name + ".bias"] if name + ".bias" in self.w else y

    def block(self, l, h):  # one transformer block, residuals included
        t = self.t
        if self.gpt2:
            p = f"transformer.h.{l}."
            x = F.layer_norm(h, (self.C,), t(p + "ln_1.weight"), t(p + "ln_1.bias"), self.eps)
            q, k, v = (x @ t(p + "attn.c_attn.weight") + t(p + "attn.c_attn.bias")).split(self.C, -1)
            h = h + self.attend(q, k, v) @ t(p + "attn.c_proj.weight") + t(p + "attn.c_proj.bias")
            x = F.layer_norm(h, (self.C,), t(p + "ln_2.weight"), t(p + "ln_2.bias"), self.eps)
            x = F.gelu(x @ t(p + "mlp.c_fc.weight") + t(p + "mlp.c_fc.bias"), approximate="tanh")
            return h + x @ t(p + "mlp.c_proj.weight") + t(p + "mlp.c_proj.bias")
        p = f"model.layers.{l}."
        x = self.rms(h, p + "input_layernorm.weight")
        a = p + "self_attn."
        h = h + self.linear(self.attend(self.linear(x, a + "q_proj"), self.linear(x, a + "k_proj"), self.linear(x, a + "v_proj")), a + "o_proj")
        x = self.rms(h, p + "post_attention_layernorm.weight")
        m = p + "mlp."
        return h + self.linear(F.silu(self.linear(x, m + "gate_proj")) * self.linear(x, m + "up_proj"), m + "down_proj")

    def rms(self, x, name):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.t(name)

    def final(self, h):  # the final norm
        if self.gpt2:
            return F.layer_norm(h, (self.C,), self.t("transformer.ln_f.weight"), self.t("transformer.ln_f.bias"), self.eps)
        return self.rms(h, "model.norm.weight")

    def logits(self, h):  # (L, C) -> (L, V)
        return h @ self.t(self.head).T


class RMT:
    """Memory tokens: the state is mem (M, C)."""

    def __init__(self, dec, M):
        self.dec, self.M = dec, M
        self.mem0 = dec.t("rmt.memory") if M > 0 else torch.zeros(0, dec.C)

    def initial(self):
        return self.mem0

    def segment(self, ids, mem, write):  # -> logits (len(ids), V), the next mem
        d, M = self.dec, self.M
        rows = [mem, d.embed(ids)] + ([mem] if write else [])
        h = d.start(torch.cat(rows))
        for l in range(d.layers):
            h = d.block(l, h)
        h = d.final(h)
        return d.logits(h[M:M + len(ids)]), (h[h.shape[0] - M:] if write else mem)


class ARMT:
    """The associative memory: the state is every layer's (A, z)."""

    def __init__(self, dec, M, d_mem, normalized):
        self.dec, self.M, self.K, self.normalized = dec, M, 6 * d_mem, normalized
        self.memory = dec.t("armt.memory")

    def initial(self):
        return [(torch.zeros(self.K, self.dec.C), torch.zeros(self.K)) for _ in range(self.dec.layers)]

    def p(self, l, name):
        return self.dec.t(f"armt.layers.{l}.{name}")

    def phi(self, x):  # DPFP-3: (n, d) -> (n, 6d), then L2-normalised for dpfp-normalized
        x = torch.cat([F.relu(x), F.relu(-x)], -1)
        x = torch.cat([x * x.roll(j, -1) for j in (1, 2, 3)], -1)
        return F.normalize(x, dim=-1) if self.normalized else x

    def read(self, l, h, A, z):  # h: (L, C)
        q = self.phi(h @ self.p(l, "W_mq.weight").T)  # (L, K)
        return h + (q @ A) / (q @ z + EPS)[:, None]

    def write(self, l, m, A, z):  # m: (M, C), the layer's output at the memory rows
        k = self.phi(m @ self.p(l, "W_mk.weight").T)  # (M, K)
        v = m @ self.p(l, "W_mv.weight").T  # (M, C)
        beta = torch.sigmoid(m @ self.p(l, "W_mb.weight").T + self.p(l, "W_mb.bias"))  # (M, 1)
        if not z.any():  # nothing written yet
            vbar, gamma = torch.zeros_like(v), torch.ones(self.M)
        else:
            den = k @ z + EPS
            vbar = (k @ A) / den[:, None]
            norm2 = (k * k).sum(-1) + (0.0 if self.normalized else EPS)
            gamma = (1 - den / norm2).clamp(0, 1)
        return A + k.T @ (beta * (v - vbar)), z + gamma @ k

    def segment(self, ids, state, write):
        d = self.dec
        rows = [d.embed(ids)] + ([self.memory] if write else [])
        h = d.start(torch.cat(rows))
        new = []
        for l, (A, z) in enumerate(state):
            h = d.block(l, self.read(l, h, A, z))
            if write:
                new.append(self.write(l, h[len(ids):], A, z))
        return d.logits(d.final(h)[: len(ids)]), (new if write else state)


class Model:
    """An exported folder: config.json, rmt.json, model.safetensors."""

    def __init__(self, folder):
        rmt_path = os.path.join(folder, "rmt.json")
        if not os.path.isfile(rmt_path):
            raise ReaderError(f"{folder} has no rmt.json: not a folder written by rmt's export (go run ./cmd/export)")
        self.info = info = read_json(rmt_path)
        self.cfg = cfg = read_json(os.path.join(folder, "config.json"))
        if cfg.get("model_type") not in ("gpt2", "llama", "mistral", "qwen2"):
            raise ReaderError(f"{folder}/config.json: model_type {cfg.get('model_type')!r}; want gpt2, llama, mistral or qwen2")
        kind = info.get("memory") or "rmt"
        features = info.get("armt_features") or "dpfp"
        if kind not in ("rmt", "armt"):
            raise ReaderError(f"{rmt_path}: memory {kind!r} is unknown; want 'rmt' or 'armt'")
        if features not in ("dpfp", "dpfp-normalized"):
            raise ReaderError(f"{rmt_path}: armt_features {features!r} is unknown; want 'dpfp' or 'dpfp-normalized'")
        for key in ["segment_size", "mem_tokens"] + (["d_mem"] if kind == "armt" else []):
            if not isinstance(info.get(key), int) or info[key] < (1 if key != "mem_tokens" else 0):
                raise ReaderError(f"{rmt_path}: {key} is {info.get(key)!r}; want a positive integer")
        path = os.path.join(folder, "model.safetensors")
        try:
            self.dec = Decoder(cfg, hf_names(read_safetensors(path)), path)
        except KeyError as e:
            raise ReaderError(f"{folder}/config.json has no {e}")
        self.S, M = info["segment_size"], info["mem_tokens"]
        if kind == "armt":
            self.memory = ARMT(self.dec, M, info["d_mem"], features == "dpfp-normalized")
        else:
            self.memory = RMT(self.dec, M)
        self.kind = kind if kind == "rmt" else f"armt ({features})"

    def eos(self):
        """The end-of-sequence id: the byte tokenizer's, or config.json's."""
        if self.info.get("tokenizer") == "byte":
            return 258
        eos = self.cfg.get("eos_token_id")
        return eos[0] if isinstance(eos, list) else eos

    def read(self, ids):
        """Logits (len(ids), V) of ids read segment by segment: full segments
        are written into memory, a last partial one only reads it."""
        state, out = self.memory.initial(), []
        for i in range(0, len(ids), self.S):
            seg = ids[i:i + self.S]
            logits, state = self.memory.segment(seg, state, write=len(seg) == self.S)
            out.append(logits)
        return torch.cat(out)

    def generate(self, ids, max_new, eos=None):
        """Greedy continuation of ids: every segment before the last is
        written into memory; the last (1..S tokens) reads and grows."""
        state, cur, out = self.memory.initial(), list(ids), []
        while len(cur) > self.S:
            _, state = self.memory.segment(cur[: self.S], state, write=True)
            cur = cur[self.S:]
        while len(out) < max_new:
            logits, _ = self.memory.segment(cur, state, write=False)
            nxt = int(logits[-1].argmax())
            out.append(nxt)
            if nxt == eos or len(out) == max_new:
                break
            if len(cur) == self.S:
                _, state = self.memory.segment(cur, state, write=True)
                cur = []
            cur.append(nxt)
        return out


class Tokenizer:
    """rmt's byte tokenizer, or a tokenizer.json BPE (GPT-2 byte-level, or
    SentencePiece-style with byte fallback as Llama's), enough for plain text."""

    def __init__(self, folder, info, cfg):
        self.byte = info.get("tokenizer") == "byte"
        self.bos = 257 if self.byte else cfg.get("bos_token_id")
        if self.byte:
            return
        path = os.path.join(folder, info.get("tokenizer_path") or "tokenizer.json")
        tok = read_json(path)
        model = tok["model"]
        if model.get("type", "BPE") != "BPE" or "merges" not in model:
            raise ReaderError(f"{path}: model type {model.get('type')!r}; this reader encodes BPE only (use --ids)")
        self.vocab = model["vocab"]
        added = sorted((a["content"] for a in tok.get("added_tokens") or []), key=len, reverse=True)
        for a in tok.get("added_tokens") or []:
            self.vocab[a["content"]] = a["id"]
        self.added = re.compile("(" + "|".join(map(re.escape, added)) + ")") if added else None
        self.inv = {i: s for s, i in self.vocab.items()}
        merges = [m.split(" ", 1) if isinstance(m, str) else m for m in model["merges"]]
        self.ranks = {tuple(m): r for r, m in enumerate(merges)}
        self.bytelevel = "Ġ" in self.vocab or "ByteLevel" in json.dumps(tok.get("pre_tokenizer"))
        bs = list(range(33, 127)) + list(range(161, 173)) + list(range(174, 256))
        cs = bs + [256 + i for i in range(256 - len(bs))]
        self.b2u = dict(zip(bs + [b for b in range(256) if b not in bs], map(chr, cs)))
        self.u2b = {u: b for b, u in self.b2u.items()}

    def bpe(self, parts):
        while len(parts) > 1:
            pairs = [(self.ranks.get((a, b), 1 << 30), i) for i, (a, b) in enumerate(zip(parts, parts[1:]))]
            rank, i = min(pairs)
            if rank == 1 << 30:
                break
            parts = parts[:i] + [parts[i] + parts[i + 1]] + parts[i + 2:]
        return parts

    def encode(self, text):
        if self.byte:
            return list(text.encode())
        ids = []
        for i, chunk in enumerate(self.added.split(text) if self.added else [text]):
            if i % 2:  # an added token such as </s>, as it is
                ids.append(self.vocab[chunk])
            elif chunk:
                ids += self.encode_chunk(chunk)
        return ids

    def encode_chunk(self, text):
        ids = []
        if self.bytelevel:  # GPT-2: split into words, map bytes to printable characters
            pat = r"""'s|'t|'re|'ve|'m|'ll|'d| ?[^\W\d_]+| ?\d+| ?(?:[^\s\w]|_)+|\s+(?!\S)|\s+"""
            for word in re.findall(pat, text):
                ids += [self.vocab[p] for p in self.bpe([self.b2u[b] for b in word.encode()])]
            return ids
        for piece in self.bpe(list("▁" + text.replace(" ", "▁"))):  # SentencePiece-style
            if piece in self.vocab:
                ids.append(self.vocab[piece])
            else:  # byte fallback
                ids += [self.vocab[f"<0x{b:02X}>"] for b in piece.encode()]
        return ids

    def decode(self, ids):
        if self.byte:
            return bytes(i for i in ids if i < 256).decode(errors="replace")
        pieces = [self.inv.get(i, "") for i in ids]
        if self.bytelevel:
            return bytes(self.u2b.get(c, 32) for c in "".join(pieces)).decode(errors="replace")
        out = b"".join(bytes([int(p[3:5], 16)]) if re.fullmatch(r"<0x[0-9A-F]{2}>", p) else p.replace("▁", " ").encode() for p in pieces)
        out = out.decode(errors="replace")
        return out[1:] if out.startswith(" ") else out


def main(argv=None):
    ap = argparse.ArgumentParser(description="Run an rmt export in PyTorch: read a long input through the memory, then generate.")
    ap.add_argument("folder")
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--text", help="input text (needs the folder's tokenizer)")
    src.add_argument("--ids", help="comma-separated token ids, e.g. 1,2,3")
    ap.add_argument("--max-new", type=int, default=16, help="tokens to generate greedily (0: none)")
    ap.add_argument("--bos", action="store_true", help="start --text with the beginning-of-sequence id (rmt's tasks train without one)")
    ap.add_argument("--no-eos", action="store_true", help="do not stop at the end-of-sequence token")
    ap.add_argument("--logits-json", help="write the input's logits and the continuation to this JSON file")
    ap.add_argument("--float64", action="store_true", help="compute in float64 (rmt computes in float32)")
    args = ap.parse_args(argv)
    torch.set_grad_enabled(False)
    torch.set_default_dtype(torch.float64 if args.float64 else torch.float32)
    try:
        model = Model(args.folder)
        tok = None
        if args.ids is not None:
            try:
                ids = [int(x) for x in args.ids.split(",") if x.strip()]
            except ValueError:
                raise ReaderError(f"--ids {args.ids!r}: want comma-separated integers")
        else:
            tok = Tokenizer(args.folder, model.info, model.cfg)
            ids = ([tok.bos] if args.bos and tok.bos is not None else []) + tok.encode(args.text)
        V = model.dec.t(model.dec.head).shape[0]
        if not ids or any(i < 0 or i >= V for i in ids):
            raise ReaderError(f"the input has {len(ids)} ids; want at least one, each in [0, {V})")
        logits = model.read(ids)
        eos = None if args.no_eos else model.eos()
        new = model.generate(ids, args.max_new, eos) if args.max_new > 0 else []
    except ReaderError as e:
        print(f"rmt_reader: {e}", file=sys.stderr)
        return 1
    segs = (len(ids) + model.S - 1) // model.S
    print(f"{args.folder}: {model.cfg['model_type']}, memory {model.kind}, {model.memory.M} memory tokens, segments of {model.S}")
    print(f"read {len(ids)} tokens in {segs} segments; last position argmax {int(logits[-1].argmax())} ({float(logits[-1].max()):.4f})")
    print("generated ids:", ",".join(map(str, new)))
    if tok is not None:
        print("generated text:", repr(tok.decode(new[:-1] if new and new[-1] == eos else new)))
    if args.logits_json:
        with open(args.logits_json, "w") as f:
            json.dump({"ids": ids, "segment_size": model.S, "logits": logits.tolist(), "generated": new}, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
