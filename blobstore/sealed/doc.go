// Package sealed is the sealed-extent store of the storage services: the
// only code that touches data files. Handed an account key, it streams a
// body into a new immutable data file sealed with crypto's STREAM format
// (or, for a small body, into sealed bytes kept inline in the caller's
// record), and gives back an Extent; it opens extents as a decrypting
// io.ReaderAt; it removes files whose last reference is gone, keeping
// those a reader pinned until the reader is done; and it sweeps orphans a
// crash left behind.
//
// Reference counts live with the metadata (the caller's bbolt
// transactions): the store only asks, through Refs, whether a file is
// still referenced before removing it.
//
// Layout: <dir>/<first two hex digits of the file id>/<file id hex>. A
// file is written at its final name; until the metadata commit references
// it, nothing reads it, and a crash leaves an orphan that the start-up
// sweep removes. With Config.Fsync the file and its folder are fsync'd
// before Write returns, so the metadata commit that follows never
// references a file a power loss could lose.
package sealed
