using System.Text;
using System.Xml;
using OrleansImaging.Dicom;
using OrleansImaging.Dicom.Json;

namespace OrleansImaging.Cli.Commands;

/// <summary><c>dicom xml &lt;file&gt;</c>: the data set in the Native DICOM Model (PS3.19), like dcm2xml --native-format.</summary>
internal static class XmlCommand
{
    public static string Parse(string[] args) => args switch
    {
        [var path] when !path.StartsWith('-') => path,
        _ => throw new UsageException("dicom xml takes one file"),
    };

    public static void Run(string path, Stream stdout)
    {
        var file = DicomFile.Open(path);
        // Written to a buffer first so that a failure half-way prints an error, not half a document.
        using var buffer = new MemoryStream();
        using (var writer = XmlWriter.Create(buffer, new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false) }))
            new DicomXmlWriter(new DicomJsonOptions { EncapsulatedPixelData = DicomJsonEncapsulatedPixelData.Omit }).Write(writer, file.Dataset);
        buffer.WriteByte((byte)'\n');
        buffer.Position = 0;
        buffer.CopyTo(stdout);
        stdout.Flush();
    }
}
