using System;
using System.IO;

namespace MsrGen.Runtime.Traces;

/// <summary>
/// Splits text into lines without allocating a string per line: <see cref="Current"/> is a view
/// of an internal buffer, valid until the next <see cref="MoveNext"/>. LF ends a line and a CR
/// before it is dropped (CRLF files read like LF files). A line longer than
/// <see cref="MaxLineLength"/> is cut there and flagged, so memory stays bounded whatever the
/// input; <see cref="LastLineUnterminated"/> tells whether the text ended without a final LF.
/// </summary>
public sealed class TraceLineReader
{
    /// <summary>Longest line kept whole; a trace line is a few hundred characters at most.</summary>
    public const int MaxLineLength = 16 * 1024;

    private readonly TextReader _reader;
    private readonly char[] _buffer = new char[4 * MaxLineLength];
    private int _start;
    private int _end;
    private bool _eof;
    private int _lineStart;
    private int _lineLength;

    public TraceLineReader(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        _reader = reader;
    }

    /// <summary>1-based number of the current line.</summary>
    public long LineNumber { get; private set; }

    /// <summary>The current line without its terminator.</summary>
    public ReadOnlySpan<char> Current => _buffer.AsSpan(_lineStart, _lineLength);

    /// <summary>The current line was longer than <see cref="MaxLineLength"/> and was cut.</summary>
    public bool CurrentTooLong { get; private set; }

    /// <summary>The current line is the last one and no LF followed it.</summary>
    public bool LastLineUnterminated { get; private set; }

    /// <summary>Characters consumed so far (for progress).</summary>
    public long CharactersRead { get; private set; }

    public bool MoveNext()
    {
        CurrentTooLong = false;
        bool skipping = false;
        while (true)
        {
            int newline = Array.IndexOf(_buffer, '\n', _start, _end - _start);
            if (newline >= 0)
            {
                int length = newline - _start;
                CharactersRead += length + 1;
                if (skipping)
                {
                    _start = newline + 1;
                    return Emit(_lineStart, _lineLength, terminated: true);
                }

                int lineStart = _start;
                _start = newline + 1;
                return Emit(lineStart, length, terminated: true);
            }

            if (_eof)
            {
                if (skipping)
                {
                    _start = _end;
                    return Emit(_lineStart, _lineLength, terminated: false);
                }

                if (_start < _end)
                {
                    int lineStart = _start;
                    int length = _end - _start;
                    CharactersRead += length;
                    _start = _end;
                    return Emit(lineStart, length, terminated: false);
                }

                return false;
            }

            if (!skipping && _end - _start >= MaxLineLength)
            {
                // Keep the first MaxLineLength characters at the front and drop the rest of the line.
                Array.Copy(_buffer, _start, _buffer, 0, MaxLineLength);
                _lineStart = 0;
                _lineLength = MaxLineLength;
                CharactersRead += _end - _start;
                _start = _end = MaxLineLength;
                skipping = true;
                CurrentTooLong = true;
            }
            else if (skipping)
            {
                CharactersRead += _end - _start;
                _start = _end = MaxLineLength;
            }

            Fill(skipping ? MaxLineLength : 0);
        }
    }

    private bool Emit(int start, int length, bool terminated)
    {
        if (length > 0 && _buffer[start + length - 1] == '\r')
        {
            length--;
        }

        _lineStart = start;
        _lineLength = length;
        LineNumber++;
        LastLineUnterminated = !terminated;
        return true;
    }

    /// <summary>Moves the unread text to <paramref name="keep"/> (the cut line's kept part lives below it) and reads more.</summary>
    private void Fill(int keep)
    {
        int remaining = _end - _start;
        if (_start != keep)
        {
            Array.Copy(_buffer, _start, _buffer, keep, remaining);
            _start = keep;
            _end = keep + remaining;
        }

        int read = _reader.Read(_buffer, _end, _buffer.Length - _end);
        if (read <= 0)
        {
            _eof = true;
        }
        else
        {
            _end += read;
        }
    }
}
