using OrleansImaging.Grains.Storage;

namespace OrleansImaging.Grains.Tests.Storage;

public sealed class PosixFileSystemTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("posixfs-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    // File.Move(overwrite: false) checks and then renames on Linux, so two racing movers could both "create"
    // the name (seen under strace); link(2) decides in the kernel. Many rounds of two threads released at once.
    [Fact]
    public void TryMoveNoReplace_TwoMoversRacingForOneName_ExactlyOneWinsEveryRound()
    {
        for (var round = 0; round < 1500; round++)
        {
            var destination = Path.Combine(_folder, $"object-{round}");
            var sources = new[] { Path.Combine(_folder, $".a-{round}.tmp"), Path.Combine(_folder, $".b-{round}.tmp") };
            foreach (var source in sources)
                File.WriteAllText(source, source);
            using var barrier = new Barrier(sources.Length);

            var wins = sources.AsParallel().WithDegreeOfParallelism(sources.Length)
                .Select(source => { barrier.SignalAndWait(); return PosixFileSystem.TryMoveNoReplace(source, destination); })
                .Count(won => won);

            Assert.Equal(1, wins);
        }
    }

    [Fact]
    public void TryMoveNoReplace_FreeName_MovesTheFileAndDropsTheTempName()
    {
        var source = Path.Combine(_folder, ".x.tmp");
        var destination = Path.Combine(_folder, "x");
        File.WriteAllText(source, "content");

        Assert.True(PosixFileSystem.TryMoveNoReplace(source, destination));

        Assert.False(File.Exists(source));
        Assert.Equal("content", File.ReadAllText(destination));
    }

    [Fact]
    public void FlushDirectory_MissingDirectory_ThrowsIOException() =>
        Assert.Throws<IOException>(() => PosixFileSystem.FlushDirectory(Path.Combine(_folder, "missing")));
}
