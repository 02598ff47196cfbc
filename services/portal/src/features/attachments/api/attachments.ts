import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { call, download } from '../../../lib/api/client.js';
import { useApi } from '../../../lib/api/context.js';
import type { Api } from '../../../lib/api/client.js';
import type { AttachmentList } from '../../../lib/api/types.js';

export const attachmentKeys = {
  list: (ticketId: string) => ['tickets', 'one', ticketId, 'attachments'] as const,
};

/** GET /api/v1/tickets/{id}/attachments: the files the person may see, and the limits of new ones. */
export function useAttachments(ticketId: string) {
  const api = useApi();
  return useQuery({
    queryKey: attachmentKeys.list(ticketId),
    queryFn: ({ signal }) => call(api.ticket.GET('/api/v1/tickets/{id}/attachments', { params: { path: { id: ticketId } }, signal })),
  });
}

/** POST /api/v1/tickets/{id}/attachments with one file (multipart); refusals are ApiErrors with the server's message. */
export function uploadAttachment(api: Api, ticketId: string, file: File) {
  return call(
    api.ticket.POST('/api/v1/tickets/{id}/attachments', {
      params: { path: { id: ticketId } },
      body: { file: file as unknown as string },
      bodySerializer: () => {
        const form = new FormData();
        form.append('file', file);
        return form;
      },
    }),
  );
}

export function useUploadAttachment(ticketId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (file: File) => uploadAttachment(api, ticketId, file),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: attachmentKeys.list(ticketId) }),
  });
}

/** PATCH …/attachments/{attachmentId}: IT marks whether the vendor may see the file. */
export function useMarkForVendor(ticketId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ attachmentId, vendorVisible }: { attachmentId: string; vendorVisible: boolean }) =>
      call(api.ticket.PATCH('/api/v1/tickets/{id}/attachments/{attachmentId}', { params: { path: { id: ticketId, attachmentId } }, body: { vendorVisible } })),
    // The switch moves at once; it moves back if the server refuses.
    onMutate: async ({ attachmentId, vendorVisible }) => {
      const key = attachmentKeys.list(ticketId);
      await queryClient.cancelQueries({ queryKey: key });
      const before = queryClient.getQueryData<AttachmentList>(key);
      if (before) queryClient.setQueryData<AttachmentList>(key, { ...before, items: before.items.map((a) => (a.id === attachmentId ? { ...a, vendorVisible } : a)) });
      return { before };
    },
    onError: (_err, _vars, context) => {
      if (context?.before) queryClient.setQueryData(attachmentKeys.list(ticketId), context.before);
    },
    onSettled: () => void queryClient.invalidateQueries({ queryKey: attachmentKeys.list(ticketId) }),
  });
}

/** The file's content, fetched with the token (a plain link cannot send it), saved as a download. */
export async function saveAttachment(api: Api, ticketId: string, attachmentId: string, fileName: string): Promise<void> {
  const { blob } = await download(api.ticket.GET('/api/v1/tickets/{id}/attachments/{attachmentId}', { params: { path: { id: ticketId, attachmentId } }, parseAs: 'blob' }));
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
