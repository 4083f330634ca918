using System.Globalization;
using System.Text.Json;
using OrleansImaging.Dicom;
using OrleansImaging.Dicom.IO;
using OrleansImaging.Dicom.Json;

namespace OrleansImaging.Cli.Commands;

/// <summary><c>dicom json &lt;file&gt;</c>: the data set as DICOM JSON, like dcm2json.</summary>
internal static class JsonCommand
{
    public sealed record Arguments(string Path, string? BulkUriTemplate, long BulkThreshold, bool OmitEncapsulated, bool Compact);

    public static Arguments Parse(string[] args)
    {
        string? path = null, template = null;
        long threshold = 0;
        bool omit = false, compact = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--bulk-uri-template":
                    template = Next(args, ref i);
                    break;
                case "--bulk-threshold":
                    if (!long.TryParse(Next(args, ref i), NumberStyles.None, CultureInfo.InvariantCulture, out threshold))
                        throw new UsageException("--bulk-threshold takes a number of bytes");
                    break;
                case "--omit-encapsulated":
                    omit = true;
                    break;
                case "--compact":
                    compact = true;
                    break;
                case var option when option.StartsWith('-'):
                    throw new UsageException($"unknown option '{option}' for dicom json");
                default:
                    path = path is null ? args[i] : throw new UsageException("dicom json takes one file");
                    break;
            }
        }
        return new Arguments(path ?? throw new UsageException("dicom json needs a file"), template, threshold, omit, compact);
    }

    public static void Run(Arguments arguments, Stream stdout)
    {
        // With bulk data URIs, large values need not be loaded at all.
        var readOptions = arguments.BulkUriTemplate is null ? DicomReadOptions.Default : new DicomReadOptions { BulkDataThreshold = Math.Max(arguments.BulkThreshold, 1) };
        var file = DicomFile.Open(arguments.Path, readOptions);
        var options = new DicomJsonOptions
        {
            BulkDataUriBuilder = arguments.BulkUriTemplate is { } template
                ? context => template.Replace("{path}", context.Path, StringComparison.Ordinal).Replace("{tag}", context.Tag.ToJsonKey(), StringComparison.Ordinal)
                : null,
            BulkDataThreshold = arguments.BulkThreshold,
            EncapsulatedPixelData = arguments.OmitEncapsulated ? DicomJsonEncapsulatedPixelData.Omit : DicomJsonEncapsulatedPixelData.Refuse,
        };
        // Written to a buffer first so that a failure half-way prints an error, not half a document.
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, DicomJson.CreateWriterOptions(indented: !arguments.Compact)))
            new DicomJsonWriter(options).Write(writer, file.Dataset);
        buffer.WriteByte((byte)'\n');
        buffer.Position = 0;
        buffer.CopyTo(stdout);
        stdout.Flush();
    }

    private static string Next(string[] args, ref int i) =>
        ++i < args.Length ? args[i] : throw new UsageException($"{args[i - 1]} needs a value");
}
