using System;
using System.Globalization;
using System.Text;

namespace MsrGen.Generator.Parsing;

/// <summary>The recursive-descent parser behind <see cref="CapabilityExpression"/>.</summary>
internal sealed partial class CapabilityExpression
{
    private sealed class Parser
    {
        private readonly string _text;
        private readonly bool _allowIndex;
        private readonly bool _allowHost;
        private int _pos;
        private int _depth;
        private int _operators;

        /// <summary>Nesting (parentheses and '!') and operators an expression may have, so that parsing, emitting and evaluating stay shallow.</summary>
        public const int MaxDepth = 64, MaxOperators = 256;

        public Parser(string text, bool allowIndex, bool allowHost)
        {
            _text = text;
            _allowIndex = allowIndex;
            _allowHost = allowHost;
        }

        public bool UsedIndex { get; private set; }
        public bool UsedHost { get; private set; }
        public int Position => _pos;
        public bool AtEnd => _pos >= _text.Length;
        public string Rest => _text.Substring(_pos);

        public void SkipSpace()
        {
            while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos]))
            {
                _pos++;
            }
        }

        private bool Accept(string token)
        {
            SkipSpace();
            if (string.CompareOrdinal(_text, _pos, token, 0, token.Length) == 0)
            {
                // "<" must not swallow the first character of "<=".
                if (token.Length == 1 && (token == "<" || token == ">" || token == "!") &&
                    _pos + 1 < _text.Length && _text[_pos + 1] == '=')
                {
                    return false;
                }

                _pos += token.Length;
                return true;
            }

            return false;
        }

        public Node ParseOr()
        {
            Enter();
            var left = ParseAnd();
            while (Accept("||"))
            {
                CountOperator();
                left = new Binary("||", RequireBool(left), RequireBool(ParseAnd()));
            }

            _depth--;
            return left;
        }

        private void Enter()
        {
            if (++_depth > MaxDepth)
            {
                throw new ExpressionException($"expression nests too deeply (more than {MaxDepth} levels of parentheses and '!')", _pos);
            }
        }

        private void CountOperator()
        {
            if (++_operators > MaxOperators)
            {
                throw new ExpressionException($"expression is too long (more than {MaxOperators} operators)", _pos);
            }
        }

        private Node ParseAnd()
        {
            var left = ParseComparison();
            while (Accept("&&"))
            {
                CountOperator();
                left = new Binary("&&", RequireBool(left), RequireBool(ParseComparison()));
            }

            return left;
        }

        private Node ParseComparison()
        {
            var left = ParseUnary();
            foreach (var op in new[] { "==", "!=", "<=", ">=", "<", ">" })
            {
                int at = _pos;
                if (Accept(op))
                {
                    var right = ParseUnary();
                    if (KindOf(left) != ValueKind.Integer || KindOf(right) != ValueKind.Integer)
                    {
                        throw new ExpressionException($"'{op}' compares numbers, not conditions", at);
                    }

                    if ((left is IndexRef && right is IndexRef) || (left is Identifier l && right is Identifier r && l.Name == r.Name && l.Host == r.Host))
                    {
                        // Always true or always false, and a C# warning (CS1718) in the generated code.
                        throw new ExpressionException($"'{op}' compares a value with itself", at);
                    }

                    CountOperator();
                    return new Binary(op, left, right);
                }
            }

            return left;
        }

        private Node ParseUnary()
        {
            SkipSpace();
            int at = _pos;
            if (Accept("!"))
            {
                // '!' recurses like a parenthesis: it counts towards the nesting bound.
                Enter();
                CountOperator();
                var operand = ParseUnary();
                _depth--;
                return new Not(RequireBool(operand, at));
            }

            if (Accept("("))
            {
                var inner = ParseOr();
                if (!Accept(")"))
                {
                    throw new ExpressionException("missing ')'", _pos);
                }

                return inner;
            }

            return ParsePrimary();
        }

        private Node ParsePrimary()
        {
            SkipSpace();
            int start = _pos;
            if (AtEnd)
            {
                throw new ExpressionException("expression ends too early", _pos);
            }

            char c = _text[_pos];
            if (char.IsDigit(c))
            {
                while (_pos < _text.Length && (char.IsLetterOrDigit(_text[_pos]) || _text[_pos] == '_'))
                {
                    _pos++;
                }

                string literal = _text.Substring(start, _pos - start);
                if (!Numbers.TryParse(literal, out ulong value))
                {
                    throw new ExpressionException($"'{literal}' is not a number", start);
                }

                // Capabilities are 32-bit ints: a wider constant would make generated code compare out of range (CS0652).
                if (value > int.MaxValue)
                {
                    throw new ExpressionException($"'{literal}' is larger than any capability value (at most {int.MaxValue})", start);
                }

                return new Literal((long)value, ValueKind.Integer);
            }

            if (!char.IsLetter(c))
            {
                throw new ExpressionException($"unexpected '{c}' in expression", start);
            }

            while (_pos < _text.Length && (char.IsLetterOrDigit(_text[_pos]) || _text[_pos] == '-' || _text[_pos] == '.' || _text[_pos] == '_'))
            {
                _pos++;
            }

            string name = _text.Substring(start, _pos - start);
            switch (name)
            {
                case "true":
                    return new Literal(1, ValueKind.Boolean);
                case "false":
                    return new Literal(0, ValueKind.Boolean);
                case "n":
                    if (!_allowIndex)
                    {
                        throw new ExpressionException("'n' (the array index) is only allowed on array registers", start);
                    }

                    UsedIndex = true;
                    return new IndexRef();
            }

            bool host = false;
            if (name.StartsWith("host.", StringComparison.Ordinal))
            {
                if (!_allowHost)
                {
                    throw new ExpressionException($"'{name}': host capabilities are only allowed in intercept conditions", start);
                }

                host = true;
                UsedHost = true;
                name = name.Substring(5);
            }

            if (!Vocabulary.TryGetValue(name, out var entry))
            {
                throw new ExpressionException($"unknown capability '{name}'", start, unknownCapability: true);
            }

            return new Identifier(name, host, entry.Kind);
        }

        private static Node RequireBool(Node node, int position = 0)
        {
            if (KindOf(node) != ValueKind.Boolean)
            {
                throw new ExpressionException("a number is used where a condition is expected (compare it, e.g. 'gp > 4')", position);
            }

            return node;
        }
    }
}
