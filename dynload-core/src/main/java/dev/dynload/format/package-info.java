/**
 * Native library files of every platform, read without loading them: ELF (Linux), Mach-O (macOS, thin
 * and universal) and PE, 32- and 64-bit (Windows), whatever the platform this JVM runs on.
 *
 * <p>{@link dev.dynload.format.NativeFile} tells what a file is, what CPU it is for, what it exports and
 * imports, which libraries it needs and where its loader would look for them; {@link
 * dev.dynload.format.NativeFile#verify(java.nio.file.Path)} checks what that platform's loader would
 * trust. Every read is bounded by the file, so a damaged or hostile file gives a {@link
 * dev.dynload.format.FormatException} or a list of problems, never a crash or a hang. For ELF details
 * beyond what all three formats share, see {@link dev.dynload.elf}.
 *
 * {@snippet :
 * NativeFile dll = NativeFile.read(Path.of("natives/windows-x86_64/zstd.dll"));
 * dll.format();    // PE
 * dll.cpu();       // X86_64
 * dll.needed();    // [KERNEL32.dll, msvcrt.dll]
 * dll.exports();   // [NativeSymbol[name=ZSTD_compress, kind=FUNCTION, ...], ...]
 * }
 */
@NullMarked
package dev.dynload.format;

import org.jspecify.annotations.NullMarked;
