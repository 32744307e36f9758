using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests.Serialization
{
    [TestClass]
    public sealed class JsonParserTests
    {
        private static JsonSyntaxException Fails(string text) => Assert.ThrowsExactly<JsonSyntaxException>(() => JsonParser.Parse(text));

        [TestMethod]
        public void JsonParser_Escapes_DecodeToTheirCharacters()
        {
            JsonValue v = JsonParser.Parse("{\"k\":\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\"}");
            Assert.AreEqual("a\"b\\c/d\b\f\n\r\té😀", v.Members[0].Value.Text);
        }

        [TestMethod]
        public void JsonParser_ValuesOfEveryKind_Parse()
        {
            JsonValue v = JsonParser.Parse(" [ 0 , -1.5e+3 , true , false , null , { } , [ ] , \"\" ] \n");
            Assert.AreEqual(JsonKind.Array, v.Kind);
            Assert.AreEqual(8, v.Items.Count);
            Assert.AreEqual("-1.5e+3", v.Items[1].Text);
            Assert.AreEqual(0L, v.Items[0].AsNonNegativeInteger());
            Assert.IsNull(v.Items[1].AsNonNegativeInteger());
            Assert.AreEqual(9223372036854775807L, JsonParser.Parse("9223372036854775807").AsNonNegativeInteger());
            Assert.IsNull(JsonParser.Parse("9223372036854775808").AsNonNegativeInteger());
        }

        [TestMethod]
        public void JsonParser_LoneSurrogates_AreRejected()
        {
            StringAssert.Contains(Fails("\"\\ud83d\"").Message, "lone high surrogate");
            StringAssert.Contains(Fails("\"\\ude00\"").Message, "lone low surrogate");
        }

        [TestMethod]
        public void JsonParser_InvalidTexts_AreRejectedWithPosition()
        {
            Assert.AreEqual(1, Fails("[01]").Position);
            StringAssert.Contains(Fails("{\"a\":1,}").Message, "expected a string key");
            StringAssert.Contains(Fails("[1,]").Message, "expected a value");
            StringAssert.Contains(Fails("\"tab\there\"").Message, "control character U+0009");
            StringAssert.Contains(Fails("{\"a\":1} x").Message, "after the end of the JSON value");
            StringAssert.Contains(Fails("\"\\x\"").Message, "invalid escape");
            StringAssert.Contains(Fails("[1.]").Message, "digit after the decimal point");
            StringAssert.Contains(Fails("tru").Message, "expected a value");
            StringAssert.Contains(Fails(new string('[', 65) + new string(']', 65)).Message, "nesting deeper than 64");
            StringAssert.Contains(Fails("").Message, "unexpected end");
        }
    }
}
