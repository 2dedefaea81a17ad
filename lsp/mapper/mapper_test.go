package mapper

import "testing"

func TestPositionCountsUTF16Units(t *testing.T) {
	// "日本" is 3 bytes and 1 unit per character; "😀" is 4 bytes and 2 units.
	src := []byte("{\n  \"Sid\": \"日本😀\", \"Effect\": \"Allw\"\r\n}")
	effect := indexOf(src, `"Allw"`)
	got := New(src).Position(effect)
	want := Position{Line: 1, Character: len(`  "Sid": "`) + 2 + 2 + len(`", "Effect": `)}
	if got != want {
		t.Fatalf("Position(%d) = %+v, want %+v", effect, got, want)
	}
	if back := New(src).Offset(got); back != effect {
		t.Fatalf("Offset(%+v) = %d, want %d", got, back, effect)
	}
}

func TestOffsetClamps(t *testing.T) {
	src := []byte("ab\r\ncd")
	m := New(src)
	cases := []struct {
		p    Position
		want int
	}{
		{Position{0, 99}, 2}, // past the line end stops before \r\n
		{Position{9, 0}, 6},  // past the last line is the end
		{Position{1, 1}, 5},  // plain
		{Position{-1, 0}, 0}, // negative line
	}
	for _, c := range cases {
		if got := m.Offset(c.p); got != c.want {
			t.Errorf("Offset(%+v) = %d, want %d", c.p, got, c.want)
		}
	}
}

func TestOffsetInsideSurrogatePair(t *testing.T) {
	m := New([]byte("😀x"))
	if got := m.Offset(Position{0, 1}); got != 0 {
		t.Errorf("inside the pair: got %d, want 0", got)
	}
	if got := m.Offset(Position{0, 2}); got != 4 {
		t.Errorf("after the pair: got %d, want 4", got)
	}
}

func TestLineColIsOneBased(t *testing.T) {
	line, col := New([]byte("x\n日y")).LineCol(5)
	if line != 2 || col != 2 {
		t.Errorf("LineCol = %d:%d, want 2:2", line, col)
	}
}

func indexOf(b []byte, s string) int {
	for i := range b {
		if string(b[i:min(len(b), i+len(s))]) == s {
			return i
		}
	}
	return -1
}

// A Counter gives Mapper's lines and columns for offsets asked in any
// order, across "\r\n", Japanese text, emoji (two UTF-16 units) and
// invalid UTF-8, before and after it turns to the index (offsets asked
// back and forth over the text).
func TestCounterAgreesWithMapper(t *testing.T) {
	src := []byte("{\r\n  \"Sid\": \"読み取り😀\",\n\n  \"Effect\": \"Allw\"\xff\r\n  😀😀 \"x\"\n}")
	m := New(src)
	c := NewCounter(src)
	var asked []int
	for o := -2; o <= len(src)+2; o += 3 { // forwards, past both ends
		asked = append(asked, o)
	}
	for o := len(src); o >= 0; o -= 5 { // backwards
		asked = append(asked, o)
	}
	for i := range len(src) { // back and forth
		asked = append(asked, i, len(src)-i)
	}
	for i, o := range asked {
		line, col := c.LineCol(o)
		wantLine, wantCol := m.LineCol(o)
		if line != wantLine || col != wantCol {
			t.Fatalf("ask %d, offset %d: Counter %d:%d, Mapper %d:%d", i, o, line, col, wantLine, wantCol)
		}
	}
	if c.index == nil {
		t.Error("asked back and forth over the text, the Counter never turned to the index")
	}
	emoji := indexOf(src, `"x"`)
	if line, col := NewCounter(src).LineCol(emoji); line != 5 || col != 2+2+2+2 {
		t.Errorf("after two emoji: %d:%d, want 5:8", line, col)
	}
	if line, col := NewCounter(src).LineCol(indexOf(src, `"Allw"`)); line != 4 || col != len(`  "Effect": `)+1 {
		t.Errorf("\"Allw\": %d:%d, want 4:%d", line, col, len(`  "Effect": `)+1)
	}
}

// A mapper counts the positions asked first and builds its table of
// lines once counting has read more than the table would: every offset
// maps alike before and after, and asked back and forth.
func TestPositionCountedThenIndexed(t *testing.T) {
	src := []byte("{\r\n  \"Sid\": \"日本😀\",\n\n  \"Effect\": \"Allow\"\r\n}\n")
	want := newIndexed(src)
	m := New(src)
	for round := range 4 {
		for o := -1; o <= len(src)+1; o++ {
			off := o
			if round%2 == 1 {
				off = len(src) - o // back to front
			}
			if got, w := m.Position(off), want.Position(off); got != w {
				t.Fatalf("round %d: Position(%d) = %+v, want %+v", round, off, got, w)
			}
		}
	}
	if m.lineStarts.Load() == nil {
		t.Fatalf("after %d positions of a %d-byte text, no table of lines", 4*(len(src)+3), len(src))
	}
	if once := New(src); once.Position(len(src)) != want.Position(len(src)) || once.lineStarts.Load() != nil {
		t.Fatal("a mapper asked one position built its table of lines")
	}
}

// A UTF-8 BOM that starts the text is not a character of its first line:
// VS Code takes it off the document it shows, so a file read from disk
// (check, the server's closed files) maps as the same file opened does,
// with CRLF line ends and Japanese text after the BOM; an offset inside
// the BOM maps to the line's start, and the BOM is not written over.
func TestBOMIsNotACharacter(t *testing.T) {
	for _, text := range []string{
		"{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::b/*\"}]}\r\n",
		"{\"Statement\": [{\"Sid\": \"読み取り😀\", \"Effect\": \"allow\"}]}\r\n{\"Effect\": \"allow\"}\r\n",
	} {
		opened := []byte(text) // as the editor's buffer holds it
		onDisk := append([]byte("\xef\xbb\xbf"), opened...)
		m, buf := New(onDisk), New(opened)
		for at := 0; at < len(opened); at++ {
			p, want := m.Position(len(bom)+at), buf.Position(at)
			if p != want {
				t.Fatalf("%q: Position(%d) = %+v, want %+v as opened", text, len(bom)+at, p, want)
			}
			if back := m.Offset(p); back != len(bom)+buf.Offset(p) {
				t.Fatalf("%q: Offset(%+v) = %d, want %d", text, p, back, len(bom)+buf.Offset(p))
			}
			line, col := NewCounter(onDisk).LineCol(len(bom) + at)
			if line != want.Line+1 || col != want.Character+1 {
				t.Fatalf("%q: Counter.LineCol(%d) = %d:%d, want %d:%d", text, len(bom)+at, line, col, want.Line+1, want.Character+1)
			}
		}
		for at := range len(bom) {
			if p := m.Position(at); p != (Position{}) {
				t.Errorf("Position(%d) inside the BOM = %+v, want 0:0", at, p)
			}
		}
		if got := m.Offset(Position{0, 0}); got != len(bom) {
			t.Errorf("Offset(0:0) = %d, want %d (after the BOM)", got, len(bom))
		}
	}
	// The review's file: "allow" at 1:52, as VS Code shows it (1:53 before).
	src := []byte("\xef\xbb\xbf{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::b/*\"}]}\r\n")
	if line, col := New(src).LineCol(indexOf(src, `"allow"`)); line != 1 || col != 52 {
		t.Errorf("\"allow\" at %d:%d, want 1:52", line, col)
	}
	ja := []byte("\xef\xbb\xbf{\"Sid\": \"読み取り\", \"Effect\": \"allow\"}\r\n")
	if line, col := NewCounter(ja).LineCol(indexOf(ja, `"allow"`)); line != 1 || col != len(`{"Sid": "読み取り", "Effect": `)-4*2+1 {
		t.Errorf("after Japanese: %d:%d, want 1:%d", line, col, len(`{"Sid": "読み取り", "Effect": `)-4*2+1)
	}
}
