/* ProcessPrng for Wine 8, which lacks bcryptprimitives.dll: Rust's std imports it on
 * Windows for its random keys. It forwards to advapi32's RtlGenRandom (SystemFunction036),
 * which takes a ULONG length, so larger requests are filled in pieces. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
    for (; length > 0;) {
        ULONG piece = length > 0x7fffffffu ? 0x7fffffffu : (ULONG)length;
        if (!SystemFunction036(data, piece)) return FALSE;
        data += piece;
        length -= piece;
    }
    return TRUE;
}
