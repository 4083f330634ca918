using OrleansImaging.Grains.Storage;

namespace OrleansImaging.Grains.Tests.Storage;

public sealed class BlobKeyTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("tenant-1/1.2.840.10008.5.1.4.1.1.2/1.2.3.4.5.6")]
    [InlineData("A_b-c.d/9")]
    public void Validate_ValidKey_DoesNotThrow(string key) => BlobKey.Validate(key);

    [Theory]
    [InlineData("", "it is empty")]
    [InlineData("/a", "it starts with '/'")]
    [InlineData("a//b", "empty segment")]
    [InlineData("a/", "empty segment")]
    [InlineData("..", "segment '..' does not start with a letter or digit")]
    [InlineData("a/./b", "segment '.' does not start with a letter or digit")]
    [InlineData("a/b c", "character ' ' (U+0020) is not allowed")]
    [InlineData("a\\b", "character '\\' (U+005C) is not allowed")]
    public void Validate_InvalidKey_ThrowsWithTheReason(string key, string reason)
    {
        var exception = Assert.Throws<InvalidBlobKeyException>(() => BlobKey.Validate(key));

        Assert.Contains(reason, exception.Message, StringComparison.Ordinal);
        Assert.Equal(key, exception.Key);
        Assert.Equal("key", exception.ParamName);
    }

    [Fact]
    public void Validate_TooLong_Throws()
    {
        Assert.Throws<InvalidBlobKeyException>(() => BlobKey.Validate(string.Join('/', Enumerable.Repeat(new string('a', 100), 11))));
        Assert.Throws<InvalidBlobKeyException>(() => BlobKey.Validate(new string('a', BlobKey.MaxSegmentLength + 1)));
        Assert.Throws<InvalidBlobKeyException>(() => BlobKey.Validate(string.Join('/', Enumerable.Repeat("a", BlobKey.MaxSegments + 1))));
        BlobKey.Validate(string.Join('/', Enumerable.Repeat("a", BlobKey.MaxSegments)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("t1/")]
    [InlineData("t1/s")]
    [InlineData("t1/s1/")]
    public void ValidatePrefix_ValidPrefix_DoesNotThrow(string prefix) => BlobKey.ValidatePrefix(prefix);

    [Theory]
    [InlineData("/")]
    [InlineData("t1//")]
    [InlineData("../")]
    [InlineData("t1/.")]
    public void ValidatePrefix_InvalidPrefix_Throws(string prefix) =>
        Assert.Throws<InvalidBlobKeyException>(() => BlobKey.ValidatePrefix(prefix));
}
