# Sourced by the other scripts: puts a Node.js >= 22 first on PATH, installing one from the npm registry
# (the `node@22` package) into ~/.cache/tsbuild/node22 when the machine's Node is older.
tsbuild_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(tsbuild_node_major)" -lt 22 ]; then
  TSBUILD_NODE_PREFIX="${TSBUILD_NODE_PREFIX:-$HOME/.cache/tsbuild/node22}"
  if [ ! -x "$TSBUILD_NODE_PREFIX/node_modules/.bin/node" ]; then
    echo "tsbuild: Node $(node --version 2>/dev/null || echo none) is older than 22; installing node@22 into $TSBUILD_NODE_PREFIX" >&2
    mkdir -p "$TSBUILD_NODE_PREFIX"
    npm install --silent --no-audit --no-fund --prefix "$TSBUILD_NODE_PREFIX" node@22 >&2
  fi
  export PATH="$TSBUILD_NODE_PREFIX/node_modules/.bin:$PATH"
fi
