using System.Text;
using OrleansImaging.Dicom;
using OrleansImaging.Dicom.Formatting;

namespace OrleansImaging.Cli.Commands;

/// <summary><c>dicom dump &lt;file&gt;</c>: the file one element per line, in dcmdump's layout.</summary>
internal static class DumpCommand
{
    public sealed record Arguments(string Path, bool Full);

    public static Arguments Parse(string[] args)
    {
        string? path = null;
        var full = false;
        foreach (var arg in args)
        {
            if (arg == "--full")
                full = true;
            else if (arg.StartsWith('-'))
                throw new UsageException($"unknown option '{arg}' for dicom dump");
            else if (path is null)
                path = arg;
            else
                throw new UsageException("dicom dump takes one file");
        }
        return new Arguments(path ?? throw new UsageException("dicom dump needs a file"), full);
    }

    public static void Run(Arguments arguments, Stream stdout)
    {
        var file = DicomFile.Open(arguments.Path);
        using var output = new StreamWriter(stdout, new UTF8Encoding(false), 64 * 1024);
        var options = new DicomDumpOptions { MaxValueLength = arguments.Full ? null : DicomDumpOptions.Default.MaxValueLength };
        new DicomDump(options).Write(output, file);
    }
}
