// A file fetched with the session's bearer token and handed to the browser as a download (Blob → object URL; no
// token in a URL), as the Exports page does.
import { Button, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { fileNameOf } from '../../logic/imports.js';
import { describeProblem } from '../../logic/problem.js';
import { Refused, viewOf } from '../../logic/refusal.js';

export type FileRequest = () => Promise<{ data?: unknown; error?: unknown; response: Response }>;

export async function downloadFile(request: FileRequest, fallbackName: string): Promise<void> {
  let result;
  try {
    result = await request();
  } catch {
    throw new Refused(describeProblem(0, undefined));
  }
  if (!result.response.ok || !(result.data instanceof Blob))
    throw new Refused(describeProblem(result.response.status, result.error));
  const url = URL.createObjectURL(result.data);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileNameOf(result.response.headers.get('content-disposition'), fallbackName);
  document.body.append(link);
  link.click();
  link.remove();
  // The browser has taken the file once the click is handled; the URL is not needed after.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function DownloadButton({
  request,
  fileName,
  children,
  label,
}: {
  request: FileRequest;
  fileName: string;
  children: string;
  label?: string;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <Stack gap={4} align="flex-start">
      <Button
        size="xs"
        variant="light"
        loading={busy}
        aria-label={label}
        onClick={() => {
          setBusy(true);
          setError(null);
          downloadFile(request, fileName)
            .catch((e: unknown) => setError(viewOf(e).message))
            .finally(() => setBusy(false));
        }}
      >
        {children}
      </Button>
      {error && (
        <Text size="sm" c="red.8" role="alert">
          The file could not be downloaded: {error}
        </Text>
      )}
    </Stack>
  );
}
